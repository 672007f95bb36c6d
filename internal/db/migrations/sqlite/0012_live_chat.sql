-- Live chat: which agents are online (a console connected in the last
-- minute, on any node), and how far each side has read a conversation.
ALTER TABLE support_agents ADD COLUMN seen_at TIMESTAMP;
ALTER TABLE conversations ADD COLUMN customer_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_read_seq INTEGER NOT NULL DEFAULT 0;
