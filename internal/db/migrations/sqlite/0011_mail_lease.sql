-- One node at a time fetches the support mailbox: the node holding this
-- lease, renewed at every fetch, taken over when it lapses.
ALTER TABLE support_settings ADD COLUMN mail_lease_owner TEXT;
ALTER TABLE support_settings ADD COLUMN mail_lease_until TIMESTAMP;
