/**
 * One-to-one texts through AWS End User Messaging SMS (the confirmation request and replies to
 * inbound texts), sent from the service's own number so the person's reply lands in the same thread.
 */
import { type PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { Messenger } from '../ports';

export class SmsSender implements Pick<Messenger, 'sendText'> {
  constructor(
    private readonly sms: PinpointSMSVoiceV2Client,
    private readonly serviceNumber: string,
  ) {}

  async sendText(to: string, text: string, from?: string): Promise<void> {
    await this.sms.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: to,
        OriginationIdentity: from ?? this.serviceNumber,
        MessageBody: text,
        MessageType: 'TRANSACTIONAL',
      }),
    );
  }
}
