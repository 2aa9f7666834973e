/** A small but complete workspace for the server tests: a schema with purposes, two recipients, two templates. */
export const SMALL_WORKSPACE: Record<string, string> = {
  'mergewise.json': JSON.stringify({
    dialect: 'liquid',
    recipients: ['recipients/*.json'],
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', sensitivity: 'personal', description: 'First name as typed at sign-up' },
      'customer.city': { type: 'string', source: 'observed' },
      'customer.favorite_service': { type: 'string', source: 'inferred', fallback: 'a fresh cut' },
      'cart.items': { type: 'array', source: 'transactional', items: { fields: { title: { type: 'string', required: true } } } },
    },
    purposes: {
      winback: { segment: 'lapsed clients', tactic: 'mention their favourite service', metric: 'rebooking rate', fields: ['customer.favorite_service'] },
      'city-events': { segment: 'clients near an event', fields: ['customer.city'] },
    },
  }, null, 2),
  'recipients/ana.json': JSON.stringify({ $name: 'Ana', customer: { first_name: 'Ana', city: 'Lisbon' }, cart: { items: [{ title: 'Cut' }] } }),
  'recipients/ben.json': JSON.stringify({ $name: 'Ben', customer: {} }),
  'emails/welcome.liquid': "Hi {{ customer.first_name }},\nYou live in {{ customer.city | default: 'your city' }}.\n{% for item in cart.items %}{{ item.title }}{% endfor %}\n",
  'emails/other.liquid': "Hello {{ customer.first_name | default: 'there' }}!\n",
};
