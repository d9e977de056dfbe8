/**
 * Local time for the simulator's ground truth and its traces, computed here from Intl (not with the
 * code under test): UTC offsets of each zone are tabulated per 15-minute bucket, which is exact
 * because every modern zone changes offset on a quarter-hour UTC boundary.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Where subscribers live: every continent, DST north and south, and half/quarter-hour offsets. */
export const TIME_ZONES = [
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'America/St_Johns',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Moscow',
  'Africa/Lagos',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Tehran',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Adelaide',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Pacific/Chatham',
] as const;

const BUCKET = 15 * MINUTE;

/** Quiet hours every simulated subscriber has: 22:00-07:00 local. */
export const QUIET_START_MIN = 22 * 60;
export const QUIET_END_MIN = 7 * 60;

export class ZoneClock {
  private readonly offsets: Int32Array;
  private readonly from: number;
  private readonly format: Intl.DateTimeFormat;

  constructor(
    readonly zone: string,
    from: number,
    to: number,
  ) {
    this.from = Math.floor(from / BUCKET) * BUCKET;
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    const n = Math.ceil((to - this.from) / BUCKET) + 1;
    this.offsets = new Int32Array(n);
    for (let i = 0; i < n; i++) this.offsets[i] = this.computeOffset(this.from + i * BUCKET);
  }

  private computeOffset(t: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(t)) parts[part.type] = Number(part.value);
    const local = Date.UTC(
      parts.year ?? 0,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      (parts.hour ?? 0) % 24,
      parts.minute ?? 0,
    );
    return local - Math.floor(t / MINUTE) * MINUTE;
  }

  /** Local time minus UTC at `t`, in ms. */
  offsetMs(t: number): number {
    const tabulated = this.offsets[Math.floor((t - this.from) / BUCKET)];
    return tabulated ?? this.computeOffset(t);
  }

  /** Minutes since local midnight. */
  localMinutes(t: number): number {
    const local = t + this.offsetMs(t);
    return Math.floor((((local % DAY) + DAY) % DAY) / MINUTE);
  }

  /** A counter that changes at each local midnight. */
  localDay(t: number): number {
    return Math.floor((t + this.offsetMs(t)) / DAY);
  }

  isQuiet(t: number): boolean {
    const m = this.localMinutes(t);
    return m >= QUIET_START_MIN || m < QUIET_END_MIN;
  }

  /** Milliseconds of [from, to) that fall outside quiet hours (to 1 minute). */
  awakeMsBetween(from: number, to: number): number {
    let awake = 0;
    for (let t = from; t < to; t += MINUTE) if (!this.isQuiet(t)) awake += Math.min(MINUTE, to - t);
    return awake;
  }
}

export class ZoneClocks {
  private readonly clocks = new Map<string, ZoneClock>();
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {}

  get(zone: string): ZoneClock {
    let clock = this.clocks.get(zone);
    if (!clock) {
      clock = new ZoneClock(zone, this.from, this.to);
      this.clocks.set(zone, clock);
    }
    return clock;
  }
}
