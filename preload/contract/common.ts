import { z } from 'zod';

// Shared building blocks of the contract. Every string and array is bounded: payloads from the
// renderer or the WebSocket are hostile until parsed.

export const errorCodeSchema = z.string().min(1).max(64);

export const appErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string().max(4000),
  field: z.string().max(200).optional(),
});
export type AppError = z.infer<typeof appErrorSchema>;

export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export const envelopeSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: appErrorSchema }),
  ]);

export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Use letters, digits, "-" and "_" only');

/** Kernel interface names: at most 15 bytes (IFNAMSIZ - 1), no "/", no white space, not "." or "..". */
export const ifaceNameSchema = z
  .string()
  .min(1, 'Interface name is required')
  .max(15, 'Interface names have at most 15 characters')
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'Interface names use letters, digits, ".", "_", ":" and "-" only')
  .refine((n) => n !== '.' && n !== '..', 'Not a valid interface name');
