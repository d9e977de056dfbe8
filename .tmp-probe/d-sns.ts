import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
export const s = new SNSClient({ region: 'us-east-1' });
export const p = PublishCommand;
