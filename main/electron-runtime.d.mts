export declare function findElectronRuntime(): string | null;
export declare function installElectronRuntime(): string | null;
