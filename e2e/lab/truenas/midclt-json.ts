// Types for the JSON midclt prints, as far as the tests read it (fact sheet §3), and a typed parse.
export interface AliasJson {
  readonly type: string;
  readonly address: string;
  readonly netmask?: number;
  readonly broadcast?: string;
}

export interface InterfaceJson {
  readonly id: string;
  readonly name: string;
  readonly fake: boolean;
  readonly type: string;
  readonly description: string;
  readonly aliases: readonly AliasJson[];
  readonly lag_ports?: readonly string[];
  readonly state: {
    readonly aliases: readonly AliasJson[];
    readonly ports?: readonly { readonly name: string; readonly flags: readonly string[] }[];
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
