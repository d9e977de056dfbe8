import { normaliseDevice, type RawDevice } from '../../../src/adapters/provider-devices';

const raw = (overrides: Partial<RawDevice> = {}): RawDevice => ({
  id: 'dev-1',
  name: 'Charge 6',
  type: 'TRACKER',
  status: 'High',
  level: 80,
  lastSyncTime: '2026-11-23T11:00:00Z',
  ...overrides,
});

describe('normaliseDevice', () => {
  it('maps well-formed fields through', () => {
    expect(normaliseDevice(raw())).toEqual({
      id: 'dev-1',
      name: 'Charge 6',
      type: 'TRACKER',
      batteryStatus: 'High',
      batteryLevel: 80,
      lastSyncTime: '2026-11-23T11:00:00.000Z',
    });
  });

  it.each([
    ['HIGH', 'High'],
    ['medium', 'Medium'],
    ['Low', 'Low'],
    ['EMPTY', 'Empty'],
  ])('reads the battery status %s in any case as %s', (status, expected) => {
    expect(normaliseDevice(raw({ status })).batteryStatus).toBe(expected);
  });

  it.each([['Charging'], [''], [3], [null], [{}]])('drops the unknown battery status %p', (status) => {
    expect(normaliseDevice(raw({ status }))).not.toHaveProperty('batteryStatus');
  });

  it.each([
    ['42', 42],
    [42.6, 43],
    [0, 0],
    [100, 100],
  ])('reads the level %p as %p', (level, expected) => {
    expect(normaliseDevice(raw({ level })).batteryLevel).toBe(expected);
  });

  it.each([[-1], [101], [Number.NaN], [Number.POSITIVE_INFINITY], ['high'], [''], ['  '], [null], [true]])(
    'drops the impossible level %p rather than guessing',
    (level) => {
      expect(normaliseDevice(raw({ level }))).not.toHaveProperty('batteryLevel');
    },
  );

  it.each([[undefined], [''], ['   '], [42]])('names a device with the name %p "Fitbit device"', (name) => {
    expect(normaliseDevice(raw({ name })).name).toBe('Fitbit device');
  });

  it('trims names and caps them at 64 characters', () => {
    expect(normaliseDevice(raw({ name: '  Sense 2  ' })).name).toBe('Sense 2');
    expect(normaliseDevice(raw({ name: 'x'.repeat(200) })).name).toHaveLength(64);
  });

  it.each([['WATCH'], ['tracker'], [undefined]])('types the unknown device type %p as UNKNOWN', (type) => {
    expect(normaliseDevice(raw({ type })).type).toBe('UNKNOWN');
  });

  it('makes up a stable id from type and name when the id is missing', () => {
    expect(normaliseDevice(raw({ id: undefined, type: 'SCALE', name: 'Aria Air' })).id).toBe(
      'scale-Aria Air',
    );
    expect(normaliseDevice(raw({ id: '' })).id).toBe('tracker-Charge 6');
    expect(normaliseDevice(raw({ id: 'x'.repeat(100) })).id).toHaveLength(64);
  });

  it('accepts a sync time in epoch milliseconds and drops one it cannot read', () => {
    expect(normaliseDevice(raw({ lastSyncTime: Date.parse('2026-11-23T12:00:00Z') })).lastSyncTime).toBe(
      '2026-11-23T12:00:00.000Z',
    );
    expect(normaliseDevice(raw({ lastSyncTime: 'last tuesday' }))).not.toHaveProperty('lastSyncTime');
    expect(normaliseDevice(raw({ lastSyncTime: undefined }))).not.toHaveProperty('lastSyncTime');
    expect(normaliseDevice(raw({ lastSyncTime: Number.NaN }))).not.toHaveProperty('lastSyncTime');
  });

  it('does not throw on a sync time far outside the representable range', () => {
    expect(normaliseDevice(raw({ lastSyncTime: 1e20 }))).not.toHaveProperty('lastSyncTime');
    expect(normaliseDevice(raw({ lastSyncTime: -1e20 }))).not.toHaveProperty('lastSyncTime');
  });
});
