import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SmsSender } from '../../../src/adapters/sms-sender';
import { PHONE, SERVICE_NUMBER } from '../../support/fakes';

const sms = mockClient(PinpointSMSVoiceV2Client);

beforeEach(() => {
  sms.reset();
});

const sender = () => new SmsSender(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }), SERVICE_NUMBER);

describe('SmsSender', () => {
  it('sends a transactional text from the service number by default', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-1' });

    await sender().sendText(PHONE, 'Reply YES to confirm.');

    expect(sms).toHaveReceivedCommandTimes(SendTextMessageCommand, 1);
    expect(sms).toHaveReceivedCommandWith(SendTextMessageCommand, {
      DestinationPhoneNumber: PHONE,
      OriginationIdentity: SERVICE_NUMBER,
      MessageBody: 'Reply YES to confirm.',
      MessageType: 'TRANSACTIONAL',
    });
  });

  it('replies from the number the person texted when given', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-1' });

    await sender().sendText(PHONE, 'Help text', '+12025550199');

    expect(sms).toHaveReceivedCommandWith(SendTextMessageCommand, { OriginationIdentity: '+12025550199' });
  });

  it('passes send failures through so the caller can retry', async () => {
    sms.on(SendTextMessageCommand).rejects(new Error('ThrottlingException'));

    await expect(sender().sendText(PHONE, 'x')).rejects.toThrow('ThrottlingException');
  });
});
