/**
 * Deploy-time choices, made from params when the template is packaged: does the stack request its
 * phone number or use an existing one (by ARN), does the checker reserve concurrency, does the API
 * answer on a custom domain, which countries the SMS protect configuration lets texts reach. Decided here rather than by CloudFormation conditions, so the packaged
 * template holds only what will be deployed and cfn-lint checks exactly that.
 */

/** Texts AWS answers for the stack's own number; the app answers everything else itself. */
const HELP_TEXT =
  'Fitbit Battery SMS: low-battery texts for your Fitbit. Reply STATUS, SNOOZE, STOP to end. Msg&data rates may apply.';
// Required by the resource; a US toll-free number's carrier sends its own opt-out reply instead.
const STOP_TEXT =
  'Fitbit Battery SMS: you are unsubscribed and will get no more texts. Reply START to resume.';
const START_TEXT = 'Fitbit Battery SMS: texts resumed. Reply HELP for help, STOP to end.';

const { AWS_SMS_COUNTRIES } = require('./aws-sms-countries');

/**
 * The countries sign-ups are accepted from: the param, or the default country plus CA when that is
 * US. The same rule as allowedCountries() in src/config.ts (tests/deploy/template.test.ts compares
 * the template's rule with what the deployed functions compute from their environment).
 */
function allowedCountries(list, defaultCountry) {
  const given = list
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter((c) => c !== '');
  if (given.length > 0) return given;
  return defaultCountry === 'US' ? ['US', 'CA'] : [defaultCountry];
}

/**
 * The SMS country rule: a protect configuration allows every country unless told otherwise, so every
 * country AWS documents it can text is named, and all but the allowed ones are blocked (SMS pumping to
 * far-away numbers). Only those codes: the API takes its keys from that list, and a code it does not
 * know could fail the stack's create or update (deploy/aws-sms-countries.js).
 */
function smsCountryRules(allowed) {
  const unknown = allowed.filter((c) => !AWS_SMS_COUNTRIES.includes(c));
  if (unknown.length > 0)
    throw new Error(
      `allowedCountries: ${unknown.join(', ')} is not a country AWS End User Messaging documents it can text (deploy/aws-sms-countries.js)`,
    );
  return AWS_SMS_COUNTRIES.map((code) => ({
    CountryCode: code,
    ProtectStatus: allowed.includes(code) ? 'ALLOW' : 'BLOCK',
  }));
}

module.exports = async ({ resolveVariable }) => {
  const param = async (name) => {
    const value = await resolveVariable(`param:${name}`);
    return value === undefined || value === null ? '' : String(value).trim();
  };
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const existingArn = await param('phoneNumberArn');
  const reserved = await param('checkerReservedConcurrency');
  const domain = (await param('customDomain')).toLowerCase();
  const certificateArn = await param('customDomainCertificateArn');
  if (domain && !certificateArn)
    throw new Error('customDomain needs customDomainCertificateArn (an ACM certificate in the same region)');
  // The default serviceNumber is a fictional 555 number: with a real ARN it would send from nowhere.
  if (existingArn && !/^\+[1-9]\d{6,14}$/.test(await param('serviceNumber')))
    throw new Error('phoneNumberArn needs serviceNumber: the E.164 number of that phone number');
  if (existingArn && (await param('serviceNumber')) === '+12025550100')
    throw new Error(
      'phoneNumberArn needs serviceNumber: the E.164 number of that phone number, not the placeholder',
    );
  if (reserved && !/^[1-9]\d*$/.test(reserved))
    throw new Error(`checkerReservedConcurrency must be a positive integer or empty, not "${reserved}"`);

  const Resources = {};
  const Outputs = {};
  const allowed = allowedCountries(await param('allowedCountries'), await param('defaultCountry'));
  // One-to-one texts name it (ProtectConfigurationId); SNS texts obey it only as the account default,
  // which CloudFormation cannot set (README: Deploy; `npm run doctor` checks it).
  Resources.SmsProtectConfiguration = {
    Type: 'AWS::SMSVOICE::ProtectConfiguration',
    Properties: {
      CountryRuleSet: { SMS: smsCountryRules(allowed) },
      DeletionProtectionEnabled: (await param('deletionProtection')) === 'true',
      Tags: [{ Key: 'Name', Value: `${service}-${stage}` }],
    },
  };
  Outputs.ProtectConfigurationId = {
    Description: 'SMS country rule; make it the account default so SNS texts obey it too (README: Deploy)',
    Value: { 'Fn::GetAtt': ['SmsProtectConfiguration', 'ProtectConfigurationId'] },
  };
  if (!existingArn) {
    // Released if the stack's first create rolls back; kept (with deletion protection on prod) after.
    Resources.PhoneNumber = {
      Type: 'AWS::SMSVOICE::PhoneNumber',
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        IsoCountryCode: await param('phoneNumberCountry'),
        NumberType: await param('phoneNumberType'),
        NumberCapabilities: ['SMS'],
        DeletionProtectionEnabled: (await param('deletionProtection')) === 'true',
        SelfManagedOptOutsEnabled: (await param('selfManagedOptOuts')) === 'true',
        MandatoryKeywords: { HELP: { Message: HELP_TEXT }, STOP: { Message: STOP_TEXT } },
        // START opts a number back in. UNSTOP cannot be set here (the resource rejects any keyword
        // containing STOP); on US toll-free numbers the carrier handles STOP and UNSTOP itself.
        OptionalKeywords: [{ Keyword: 'START', Action: 'OPT_IN', Message: START_TEXT }],
        TwoWay: {
          Enabled: true,
          ChannelArn: { Ref: 'InboundSmsTopic' },
          ChannelRole: { 'Fn::GetAtt': ['InboundSmsPublisherRole', 'Arn'] },
        },
      },
    };
  }
  if (domain) {
    Resources.CustomDomain = {
      Type: 'AWS::ApiGatewayV2::DomainName',
      Properties: {
        DomainName: domain,
        DomainNameConfigurations: [
          { CertificateArn: certificateArn, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
        ],
      },
    };
    Resources.CustomDomainMapping = {
      Type: 'AWS::ApiGatewayV2::ApiMapping',
      DependsOn: ['HttpApiStage'],
      Properties: { ApiId: { Ref: 'HttpApi' }, DomainName: { Ref: 'CustomDomain' }, Stage: '$default' },
    };
    Outputs.CustomDomainTarget = {
      Description: `Point a CNAME (or alias) for ${domain} at this`,
      Value: { 'Fn::GetAtt': ['CustomDomain', 'RegionalDomainName'] },
    };
  }

  const publicBaseUrl = domain ? `https://${domain}` : { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] };
  const join = (suffix) =>
    domain ? `https://${domain}${suffix}` : { 'Fn::Join': ['', [publicBaseUrl, suffix]] };
  Outputs.SignupUrl = { Description: 'The sign-up page', Value: join('/') };
  Outputs.WebhookUrl = {
    Description: 'Google Health webhook endpoint for faster alerts (npm run doctor -- --fix registers it)',
    Value: join('/webhooks/google-health'),
  };
  Outputs.OAuthRedirectUri = {
    Description: 'Add this redirect URI to the Google OAuth client',
    Value: join('/oauth/callback'),
  };
  Outputs.PrivacyUrl = {
    Description: 'Privacy policy URL (number registration, Google verification)',
    Value: join('/privacy'),
  };
  Outputs.TermsUrl = { Description: 'Terms URL (number registration)', Value: join('/terms') };

  return {
    phone: {
      arn: existingArn || { 'Fn::GetAtt': ['PhoneNumber', 'Arn'] },
      number: existingArn ? await param('serviceNumber') : { 'Fn::GetAtt': ['PhoneNumber', 'PhoneNumber'] },
      mode: existingArn ? 'existing' : 'created',
    },
    checkerReservedConcurrency: reserved ? Number(reserved) : null,
    publicBaseUrl,
    resources: { Resources, Outputs },
    roleName: (fn) => `${service}-${stage}-${fn}`,
  };
};
