import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
export const p = [PublishCommand, SNSClient];
