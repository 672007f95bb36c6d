-- The help centre's bot answers a chat first: whether it still does, and
-- how many answers it gave.
ALTER TABLE conversations ADD COLUMN bot_active BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN bot_answers INTEGER NOT NULL DEFAULT 0;
