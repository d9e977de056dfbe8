import * as z from 'zod/mini';
import { forEachSnsMessage } from '../../../src/handlers/sns-records';
import { RecordingLogger } from '../../support/fakes';

const schema = z.object({ id: z.string().check(z.minLength(1)) });

const record = (message: unknown) => ({
  EventSource: 'aws:sns',
  Sns: { Message: typeof message === 'string' ? message : JSON.stringify(message) },
});

function run(event: unknown, act: (m: { id: string }) => Promise<unknown> = async () => undefined) {
  const logger = new RecordingLogger();
  const seen: string[] = [];
  const promise = forEachSnsMessage(event, schema, logger, async (m) => {
    seen.push(m.id);
    return act(m);
  });
  return { logger, seen, promise };
}

describe('forEachSnsMessage', () => {
  it('acts on every well-formed message in order', async () => {
    const { seen, promise } = run({ Records: [record({ id: 'a' }), record({ id: 'b' })] });

    await promise;

    expect(seen).toEqual(['a', 'b']);
  });

  it.each([[undefined], [null], [{}], [{ Records: 'nope' }], ['a string'], [{ detail: {} }]])(
    'drops %p, which is not an SNS event, with a warning',
    async (event) => {
      const { logger, seen, promise } = run(event);

      await expect(promise).resolves.toBeUndefined();
      expect(seen).toEqual([]);
      expect(logger.entries.map((e) => e.level)).toEqual(['warn']);
    },
  );

  it('drops a record whose message is not JSON and acts on the rest', async () => {
    const { logger, seen, promise } = run({ Records: [record('{not json'), record({ id: 'b' })] });

    await promise;

    expect(seen).toEqual(['b']);
    expect(logger.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
  });

  it.each([
    ['a message of the wrong shape', record({ id: 42 })],
    ['an empty id', record({ id: '' })],
    ['a record without Sns', { EventSource: 'aws:sqs', body: '{"id":"x"}' }],
    ['a null record', null],
    ['a non-string message', { Sns: { Message: { id: 'x' } } }],
  ])('drops %s without throwing', async (_what, bad) => {
    const { seen, promise } = run({ Records: [bad, record({ id: 'ok' })] });

    await expect(promise).resolves.toBeUndefined();
    expect(seen).toEqual(['ok']);
  });

  it('logs what was wrong with a dropped message, but not its content', async () => {
    const { logger, promise } = run({ Records: [record({ id: 42, phone: '+12015550123' })] });

    await promise;

    expect(logger.entries[0]?.extra?.problems).toEqual(['id: invalid_type']);
    expect(logger.dump()).not.toContain('+12015550123');
  });

  it('acts on the other records when one fails, then throws that failure', async () => {
    const failure = new Error('store down');
    const { seen, promise } = run(
      { Records: [record({ id: 'a' }), record({ id: 'b' }), record({ id: 'c' })] },
      async (m) => {
        if (m.id === 'b') throw failure;
      },
    );

    await expect(promise).rejects.toBe(failure);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('throws an AggregateError with every failure when several fail', async () => {
    const { seen, promise } = run(
      { Records: [record({ id: 'a' }), record({ id: 'b' }), record({ id: 'c' })] },
      async (m) => {
        if (m.id !== 'b') throw new Error(`failed ${m.id}`);
      },
    );

    const error = await promise.catch((e) => e);

    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['failed a', 'failed c']);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('does nothing for an empty batch', async () => {
    const { logger, seen, promise } = run({ Records: [] });

    await promise;

    expect(seen).toEqual([]);
    expect(logger.entries).toEqual([]);
  });
});
