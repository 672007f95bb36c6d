package notify

import (
	"sync"
	"time"
)

// Health is what this process's mailer has seen since it started: where
// mail goes and how the last sends went. The console's home shows it as
// the mail check.
type Health struct {
	Outbox      bool // no SMTP server: mail is written to the outbox folder
	Sent        int64
	Failed      int64
	LastSent    time.Time
	LastFailure time.Time
}

// Failing reports whether the last attempt failed.
func (h Health) Failing() bool { return h.LastFailure.After(h.LastSent) }

// healthLog records the outcomes of sends.
type healthLog struct {
	mu sync.Mutex
	h  Health
}

func (l *healthLog) note(at time.Time, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.h.Failed++
		l.h.LastFailure = at
		return
	}
	l.h.Sent++
	l.h.LastSent = at
}

// Health returns what the mailer has seen so far.
func (m *Mailer) Health() Health {
	m.health.mu.Lock()
	defer m.health.mu.Unlock()
	h := m.health.h
	_, h.Outbox = m.transport.(*outbox)
	return h
}
