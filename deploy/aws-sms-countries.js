/**
 * The countries AWS End User Messaging SMS documents it can text, by ISO 3166-1 alpha-2 code: the
 * only codes the stack's SMS country rule names. The API wants the rule's keys from this list
 * ("For a list of supported ISO country codes, see Supported countries and regions (SMS channel)",
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_UpdateProtectConfigurationCountryRuleSet.html),
 * so a code AWS does not know (EH, IO, AQ...) is never sent where it could fail a deploy; a country
 * not named keeps the default ALLOW, which for a country AWS cannot text reaches no one.
 *
 * Sources, read 2026-12-02:
 * - the "Supported countries and regions" SMS table of the SNS developer guide (AWS's own docs source,
 *   github.com/awsdocs/amazon-sns-developer-guide doc_source/sns-supported-regions-countries.md),
 *   today https://docs.aws.amazon.com/sns/latest/dg/sns-supported-regions-countries.html and
 *   https://docs.aws.amazon.com/sms-voice/latest/userguide/phone-numbers-sms-by-country.html;
 *   there Mongolia is misprinted MO (Macau's code, listed too) and the retired AN (Netherlands
 *   Antilles) appears: MN is kept, AN left out;
 * - the newer per-region tables, https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-supported-countries.html
 *   (Oceania adds FM, MH, NF, NU, PF) and the Notify country list
 *   https://docs.aws.amazon.com/sms-voice/latest/userguide/notify-countries.html (adds AS, MP).
 * AWS says it reaches about 240 countries; the region pages may name more than this list. A country
 * missing here is not blocked by the rule (sign-ups still refuse it: allowedCountries), so add one
 * when AWS lists it, and packaging refuses an allowed country that is not here.
 */
const AWS_SMS_COUNTRIES = Object.freeze(
  `
  AD AE AF AG AI AL AM AO AR AS AT AU AW AZ BA BB BD BE BF BG BH BI BJ BM BN BO BR BS BT BW
  BY BZ CA CD CF CG CH CI CK CL CM CN CO CR CV CY CZ DE DJ DK DM DO DZ EC EE EG ES ET FI FJ
  FM FO FR GA GB GD GE GF GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IN IQ
  IS IT JM JO JP KE KG KH KI KM KN KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
  MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NU NZ OM
  PA PE PF PG PH PK PL PR PS PT PW PY QA RE RO RS RU RW SA SB SC SE SG SI SK SL SN SO SR SS
  ST SV SZ TC TD TG TH TJ TL TM TN TO TR TT TW TZ UA UG US UY UZ VC VE VG VI VN VU WS YE ZA
  ZM ZW
`
    .trim()
    .split(/\s+/),
);

module.exports = { AWS_SMS_COUNTRIES };
