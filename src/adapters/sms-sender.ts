/**
 * One-to-one texts through AWS End User Messaging SMS (the confirmation request and replies to
 * inbound texts), sent from the service's own number so the person's reply lands in the same thread,
 * under the deployment's SMS country rule (its protect configuration), which AWS applies when named.
 */
import {
  DeleteOptedOutNumberCommand,
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { RecipientOptedOutError, RecipientUnreachableError } from '../domain/errors';
import type { Messenger } from '../ports';

/**
 * Refusals about the destination itself (INVALID_PARAMETER: a number it cannot text; a country the
 * protect configuration blocks). Anything else, such as our identity or quota, is our problem and
 * must surface. The SDK models the protect-configuration refusals as ConflictException reasons and
 * the others as ValidationException reasons.
 */
const UNREACHABLE: Record<string, ReadonlySet<string>> = {
  ValidationException: new Set(['DESTINATION_COUNTRY_BLOCKED', 'INVALID_PARAMETER']),
  ConflictException: new Set([
    'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
    'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
    'DESTINATION_PHONE_NUMBER_NOT_VERIFIED',
  ]),
};

export class SmsSender implements Pick<Messenger, 'sendText'> {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly serviceNumber: string,
    /** The deployment's SMS country rule; without it AWS falls back to the account default, if any. */
    private readonly protectConfigurationId?: string,
  ) {}

  async sendText(to: string, text: string, from?: string): Promise<void> {
    try {
      await this.send(to, text, from);
    } catch (error) {
      const reason = (error as { Reason?: unknown }).Reason;
      const name = (error as { name?: unknown }).name;
      if (reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') {
        throw new RecipientOptedOutError('destination is on the opt-out list', { cause: error });
      }
      if (typeof name === 'string' && typeof reason === 'string' && UNREACHABLE[name]?.has(reason)) {
        throw new RecipientUnreachableError(`destination refused: ${reason}`, { cause: error });
      }
      throw error;
    }
  }

  private async send(to: string, text: string, from?: string): Promise<void> {
    await this.sms.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: to,
        OriginationIdentity: from ?? this.serviceNumber,
        MessageBody: text,
        MessageType: 'TRANSACTIONAL',
        ...(this.protectConfigurationId ? { ProtectConfigurationId: this.protectConfigurationId } : {}),
      }),
    );
  }
}

/**
 * Removes the number from the default opt-out list; a number not on it is not an error. A function
 * of its own so only the function that opts people in (START) bundles and may send it.
 */
export function smsOptIn(sms: PinpointSMSVoiceV2Client): (phone: string) => Promise<void> {
  return async (phone) => {
    try {
      await sms.send(new DeleteOptedOutNumberCommand({ OptOutListName: 'Default', OptedOutNumber: phone }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
  };
}
