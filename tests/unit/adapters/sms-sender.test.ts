import {
  ConflictException,
  DeleteOptedOutNumberCommand,
  PinpointSMSVoiceV2Client,
  ResourceNotFoundException,
  SendTextMessageCommand,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SmsSender, smsOptIn } from '../../../src/adapters/sms-sender';
import { RecipientOptedOutError, RecipientUnreachableError } from '../../../src/domain/errors';
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
    expect(sms.commandCalls(SendTextMessageCommand)[0]?.args[0].input).not.toHaveProperty(
      'ProtectConfigurationId',
    );
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

  it('maps a send refused because the destination opted out to RecipientOptedOutError', async () => {
    sms.on(SendTextMessageCommand).rejects(
      new ConflictException({
        message: 'opted out',
        $metadata: {},
        Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
      }),
    );

    const sent = sender().sendText(PHONE, 'x');

    await expect(sent).rejects.toBeInstanceOf(RecipientOptedOutError);
    await expect(sent).rejects.toMatchObject({ name: 'RecipientOptedOutError' });
  });

  it('maps a destination the service cannot text to RecipientUnreachableError', async () => {
    sms
      .on(SendTextMessageCommand)
      .rejects(
        new ValidationException({ message: 'blocked', $metadata: {}, Reason: 'DESTINATION_COUNTRY_BLOCKED' }),
      );

    await expect(sender().sendText(PHONE, 'x')).rejects.toBeInstanceOf(RecipientUnreachableError);
  });

  it("names the deployment's protect configuration on every text when it has one", async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-1' });
    const guarded = new SmsSender(
      new PinpointSMSVoiceV2Client({ region: 'us-east-1' }),
      SERVICE_NUMBER,
      'protect-0123456789abcdef',
    );

    await guarded.sendText(PHONE, 'Reply YES to confirm.');

    expect(sms).toHaveReceivedCommandWith(SendTextMessageCommand, {
      DestinationPhoneNumber: PHONE,
      ProtectConfigurationId: 'protect-0123456789abcdef',
    });
  });

  it('maps a country the protect configuration blocks (a ConflictException) to RecipientUnreachableError', async () => {
    sms.on(SendTextMessageCommand).rejects(
      new ConflictException({
        message: 'Conflict Occurred',
        $metadata: {},
        Reason: 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION',
        ResourceType: 'protect-configuration',
        ResourceId: 'protect-0123456789abcdef',
      }),
    );

    await expect(sender().sendText(PHONE, 'x')).rejects.toBeInstanceOf(RecipientUnreachableError);
  });

  it('passes other conflicts through unchanged', async () => {
    const conflict = new ConflictException({ message: 'other', $metadata: {}, Reason: 'RESOURCE_NOT_EMPTY' });
    sms.on(SendTextMessageCommand).rejects(conflict);

    await expect(sender().sendText(PHONE, 'x')).rejects.toBe(conflict);
  });
});

describe('smsOptIn', () => {
  it('removes the number from the Default opt-out list', async () => {
    sms.on(DeleteOptedOutNumberCommand).resolves({});

    await smsOptIn(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }))(PHONE);

    expect(sms).toHaveReceivedCommandTimes(DeleteOptedOutNumberCommand, 1);
    expect(sms).toHaveReceivedCommandWith(DeleteOptedOutNumberCommand, {
      OptOutListName: 'Default',
      OptedOutNumber: PHONE,
    });
  });

  it('treats a number that is not on the list as done', async () => {
    sms
      .on(DeleteOptedOutNumberCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    await expect(
      smsOptIn(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }))(PHONE),
    ).resolves.toBeUndefined();
  });

  it('passes other failures through', async () => {
    sms.on(DeleteOptedOutNumberCommand).rejects(new Error('AccessDeniedException'));

    await expect(smsOptIn(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }))(PHONE)).rejects.toThrow(
      'AccessDeniedException',
    );
  });
});
