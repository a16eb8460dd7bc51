/** Word lists the seeder draws from: realistic support-desk names, subjects and message text. */
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Radia', 'Donald',
  'Hedy', 'Tim', 'Katherine', 'Guido', 'Sophie', 'Niklaus', 'Anita', 'James', 'Lucia', 'Omar', 'Priya', 'Mateo',
  'Yuki', 'Chen', 'Fatima', 'Lars', 'Amara', 'Diego', 'Ingrid', 'Kofi', 'Elena', 'Ravi', 'Zoe', 'Hiro', 'Nadia',
  'Pablo', 'Sven', 'Leila', 'Tomasz', 'Aisha', 'Marco', 'Freya', 'Jonas', 'Mei', 'Ibrahim', 'Clara', 'Felix', 'Rosa',
];
export const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra',
  'Perlman', 'Knuth', 'Lamarr', 'Berners-Lee', 'Johnson', 'van Rossum', 'Wilson', 'Wirth', 'Borg', 'Gosling',
  'Garcia', 'Haddad', 'Patel', 'Rossi', 'Tanaka', 'Wei', 'Khan', 'Nilsson', 'Okafor', 'Fernandez', 'Larsen', 'Mensah',
  'Popescu', 'Iyer', 'Martin', 'Sato', 'Petrova', 'Silva', 'Eriksson', 'Nasser', 'Kowalski', 'Bello', 'Conti',
  'Jensen', 'Weber', 'Lin', 'Diallo', 'Moreau', 'Schmidt', 'Lopez',
];
export const DOMAINS = [
  'example.com', 'example.org', 'example.net', 'mail.example.com', 'acme.example', 'globex.example', 'initech.example',
  'umbrella.example', 'hooli.example', 'stark.example', 'wayne.example', 'wonka.example',
];
export const SUBJECTS = [
  'Refund for order', 'Cannot log in to my account', 'Invoice is missing VAT number', 'Package arrived damaged',
  'How do I change my plan?', 'Password reset email never arrives', 'Charged twice this month', 'Feature request: dark mode',
  'Shipping delay for order', 'Question about the enterprise plan', 'API returns 500 on export', 'Cancel my subscription',
  'Wrong item delivered', 'Update billing address', 'Two-factor code not accepted', 'Data export request (GDPR)',
  'Integration with Slack stopped working', 'Discount code does not apply', 'Upgrade to annual billing', 'Account locked',
  'Where is my order?', 'Bug: attachments fail to upload', 'Request for a callback', 'Change the email on my account',
];
export const SENTENCES = [
  'Hi there, thanks for getting back to me so quickly.',
  'I placed the order last Tuesday and it still shows as processing.',
  'Could you please check what happened with my last payment?',
  'I have attached a screenshot of the error message I keep seeing.',
  'We tried clearing the cache and logging in again, but nothing changed.',
  'Thanks for reaching out, I am sorry for the trouble this has caused.',
  'I have looked into your account and can see the duplicate charge.',
  'The refund has been issued and should appear within five business days.',
  'Could you confirm the email address associated with the account?',
  'Our engineering team is aware of the issue and is working on a fix.',
  'In the meantime, you can use the web app as a workaround.',
  'Please let me know if there is anything else I can help you with.',
  'The tracking number shows the parcel left the warehouse yesterday.',
  'I would like to upgrade our team to the annual plan if possible.',
  'Our finance department needs the invoice to include our VAT number.',
  'The export job fails after about ten minutes with a timeout.',
  'I have reset the two-factor settings on your account.',
  'You should now be able to sign in with a new code from your app.',
  'We have escalated this to our logistics partner for an update.',
  'Can you send me a copy of the contract we signed last year?',
  'I changed the billing address but the old one is still on the invoice.',
  'Thank you, that solved it, you can close this ticket.',
  'Unfortunately the problem came back this morning.',
  'I have applied a discount of twenty percent to your next invoice.',
  'The integration token expired, so please reconnect it from the settings page.',
  'We really appreciate your patience while we investigate.',
  'Is there a phone number I can call to speak with someone directly?',
  'I have merged the two accounts so you only see one workspace now.',
  'Our records show the delivery was attempted but nobody was home.',
  'Please reply with the order number so I can look it up.',
];
export const TEAM_NAMES = ['Support', 'Billing', 'Sales', 'Technical', 'Logistics', 'Onboarding', 'Escalations', 'Partners', 'Enterprise', 'Returns'];
export const TAG_NAMES = ['billing', 'refund', 'bug', 'feature-request', 'shipping', 'login', 'vip', 'urgent', 'gdpr', 'integration', 'invoice', 'churn-risk'];
