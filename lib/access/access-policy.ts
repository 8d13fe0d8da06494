import { z } from 'zod';
import { parseJsonSetting } from '../config/json-setting.ts';

/**
 * When users are blocked and when their re-identifications raise an alarm. Given as JSON (the
 * environment variable `TICKET_PROXY_ACCESS_POLICY` locally, `ACCESS_POLICY` in Lambda, the CDK
 * context value `accessPolicy`); every field is optional.
 */
export const accessPolicySchema = z
  .object({
    /** Rejected attempts within the window that block the user. */
    maxDenials: z.number().int().min(1).max(100).default(5),
    denialWindowMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /** More tokens than this re-identified by one user in one clock hour raises an alarm. */
    maxTokensPerHour: z.number().int().min(1).max(100_000).default(50),
    /**
     * Working hours: a re-identification outside them raises an alarm (it is not refused: a citizen
     * may need help at night). `from` inclusive, `to` exclusive, whole hours in `timeZone`.
     */
    workingHours: z
      .object({
        from: z.number().int().min(0).max(23),
        to: z.number().int().min(1).max(24),
        timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Copenhagen'),
        /** Also alarm on Saturdays and Sundays. */
        weekdaysOnly: z.boolean().default(true),
      })
      .strict()
      .refine((h) => h.from < h.to, 'from must be before to')
      .default({ from: 7, to: 18, timeZone: 'Europe/Copenhagen', weekdaysOnly: true }),
  })
  .strict();

export type AccessPolicy = z.output<typeof accessPolicySchema>;

export const defaultAccessPolicy = (): AccessPolicy => accessPolicySchema.parse({});

/** @throws ConfigError naming the wrong setting, e.g. `ACCESS_POLICY is not an access policy: maxDenials: …` */
export function parseAccessPolicy(json: string | undefined, source: string): AccessPolicy {
  if (json === undefined || json.trim() === '') return defaultAccessPolicy();
  return parseJsonSetting(json, source, accessPolicySchema, 'an access policy');
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** True when `at` falls outside the policy's working hours, in its time zone. */
export function outsideWorkingHours(policy: AccessPolicy, at: Date): boolean {
  const { from, to, timeZone, weekdaysOnly } = policy.workingHours;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    hourCycle: 'h23',
    weekday: 'short',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const weekday = parts.find((p) => p.type === 'weekday')?.value;
  if (weekdaysOnly && (weekday === 'Sat' || weekday === 'Sun')) return true;
  return hour < from || hour >= to;
}
