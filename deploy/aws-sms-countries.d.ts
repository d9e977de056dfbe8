/** Types for aws-sms-countries.js (read by the tests; the template is built from the .js). */
export declare const AWS_SMS_COUNTRIES: readonly string[];
