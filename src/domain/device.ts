/** A paired tracker, watch or scale, and its battery, as the domain reasons about it. */
export type BatteryStatus = 'High' | 'Medium' | 'Low' | 'Empty';
export type DeviceType = 'TRACKER' | 'SCALE' | 'UNKNOWN';

/** A paired device as every provider adapter reports it. */
export interface Device {
  /** Stable id within the account (the last segment of the resource name). */
  id: string;
  /** Product name, e.g. "Charge 6". */
  name: string;
  type: DeviceType;
  batteryStatus?: BatteryStatus;
  /** Percent, 0-100, when the provider reports one. */
  batteryLevel?: number;
  /** RFC 3339 UTC time of the last sync with the phone app. */
  lastSyncTime?: string;
}
