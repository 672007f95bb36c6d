package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/frontdesk/frontdesk/internal/brand"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/audit"
	"github.com/frontdesk/frontdesk/internal/backup"
	"github.com/frontdesk/frontdesk/internal/mailin"
	"github.com/frontdesk/frontdesk/internal/web"
	"github.com/frontdesk/frontdesk/internal/web/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs, build := flagSet("serve", env)
	cfg, err := parse(fs, build, args, env)
	if err != nil {
		return err
	}
	inst, err := Start(ctx, cfg, env)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return inst.Stop()
}

// Instance is a running server.
type Instance struct {
	sys      *system
	handler  *server.Server
	srv      *http.Server
	ln       net.Listener
	url      string
	log      *slog.Logger
	timeout  time.Duration
	stopTick context.CancelFunc
	done     chan error
	stopOnce sync.Once
	stopErr  error
}

// Routes returns the route table this instance serves: every area whose
// services it was given.
func (i *Instance) Routes() []web.Route { return i.handler.Routes() }

// Start opens the services and starts serving on cfg.Addr (which may use
// port 0). It returns once the listener is open.
func Start(ctx context.Context, cfg Config, env Env) (*Instance, error) {
	if env.Clock != nil {
		cfg.clock = env.Clock
	}
	if err := checkBaseURL(cfg); err != nil {
		return nil, err
	}
	log := newLogger(cfg, env.Stderr)
	autoLimit := env.Getenv("GOMEMLIMIT") == ""
	if autoLimit {
		// A soft memory limit above the hashing budget makes the garbage
		// collector return the buffers of finished hashes before the heap
		// doubles, so a sign-in flood stays near the budget.
		debug.SetMemoryLimit(memoryLimit(cfg, 0))
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// With port 0 the default base URL names the port actually chosen, so
	// links in e-mails work.
	for _, scheme := range []string{"http://", "https://"} {
		if cfg.BaseURL == scheme+cfg.Addr && strings.HasSuffix(cfg.Addr, ":0") {
			cfg.BaseURL = scheme + ln.Addr().String()
			// "localhost" stays a name: it is a secure context and a
			// valid WebAuthn RP ID, where an IP address is not.
			if host, _, _ := net.SplitHostPort(cfg.Addr); host == "localhost" {
				_, port, _ := net.SplitHostPort(ln.Addr().String())
				cfg.BaseURL = scheme + net.JoinHostPort(host, port)
			}
		}
	}
	sys, err := openSystem(ctx, cfg, log, needCurrent)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if cfg.KBStarter {
		// Not fatal: a help centre without its starter articles still serves.
		if added, err := sys.kb.SeedStarter(ctx); err != nil {
			log.ErrorContext(ctx, "help centre: adding the starter articles failed; the next start tries again", "err", err)
		} else if added {
			log.InfoContext(ctx, "help centre: starter articles added (FRONTDESK_KB_STARTER=off skips them)")
		}
	}
	inst, err := start(ctx, sys, cfg, log, ln, autoLimit)
	if err != nil {
		ln.Close()
		sys.close()
		return nil, err
	}
	if err := announceSetup(ctx, sys.id, cfg.BaseURL, env.Stdout, log); err != nil {
		inst.Stop()
		return nil, err
	}
	return inst, nil
}

func start(ctx context.Context, sys *system, cfg Config, log *slog.Logger, ln net.Listener, autoLimit bool) (*Instance, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(backup.NewCollector(sys.db))
	reg.MustRegister(sys.risk.Collectors()...)
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	provider, err := sys.oidc.Provider(sys.oidcCryptoKey())
	if err != nil {
		return nil, err
	}
	handler, err := server.New(server.Options{
		Logger:           log,
		Ready:            sys.ready,
		Registry:         reg,
		BaseURL:          base,
		TLS:              cfg.TLSCertFile != "",
		TrustedProxies:   cfg.TrustedProxies,
		MetricsToken:     cfg.MetricsToken,
		OrgName:          cfg.OrgName,
		SupportEmail:     supportAddress(cfg.SupportEmail),
		Version:          Version,
		Identity:         sys.id,
		MFA:              sys.mfa,
		Access:           sys.access,
		Support:          sys.desk,
		KB:               sys.kb,
		Assist:           sys.assist,
		Risk:             sys.risk,
		Privacy:          sys.privacy,
		Consent:          sys.consent,
		Bus:              sys.bus,
		WidgetOrigins:    cfg.WidgetOrigins,
		MessagingSecrets: cfg.MessagingSecrets,
		Authorizer:       sys.access,
		APIKeys:          sys.apiKeys,
		DB:               sys.db,
		Keys:             sys.keys,
		Signer:           sys.signer,
		Audit:            sys.audit,
		Checks:           sys.consoleChecks(),
		Backups:          backupBoard(cfg, sys),
		Brand:            brand.New(sys.db, sys.audit),
		OIDC:             sys.oidc,
		Provider:         provider,
	})
	if err != nil {
		return nil, err
	}
	if !handler.SecureCookies() {
		log.Warn("the base URL is plain HTTP on a host other than loopback: session cookies cannot be Secure; serve Frontdesk over HTTPS", "base_url", cfg.BaseURL)
	}
	if len(cfg.TrustedProxies) > 0 && cfg.MetricsToken == "" {
		log.Warn("trusted proxies are set but no metrics token: /metrics answers only direct loopback requests without forwarding headers; set FRONTDESK_METRICS_TOKEN to scrape it through a proxy")
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if cfg.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		srv.TLSConfig = serverTLSConfig(cert)
		scheme = "https"
	}
	inst := &Instance{sys: sys, handler: handler, srv: srv, ln: ln, url: scheme + "://" + ln.Addr().String(), log: log, timeout: cfg.ShutdownTimeout, done: make(chan error, 1)}
	if err := sys.record(ctx, audit.Event{Action: "system.start", Target: "server", Details: map[string]any{"version": Version, "addr": ln.Addr().String()}}); err != nil {
		ln.Close()
		return nil, err
	}
	go func() {
		var err error
		if srv.TLSConfig != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		inst.done <- err
	}()
	tickCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	inst.stopTick = cancel
	go sys.checkpointLoop(tickCtx, cfg.AuditCheckpointInterval)
	go sys.purgeLoop(tickCtx, 5*time.Minute)
	go sys.recoveryLoop(tickCtx, time.Minute)
	go sys.alertLoop(tickCtx, 5*time.Second)
	go sys.privacyLoop(tickCtx, time.Minute)
	go sys.privacyDeadlineLoop(tickCtx, 10*time.Second)
	go sys.retentionLoop(tickCtx, 10*time.Minute)
	go sys.accessLoop(tickCtx, time.Hour)
	go sys.reindexSearch(tickCtx)
	go sys.nameOldConversations(tickCtx)
	go sys.deskLoop(tickCtx, time.Minute)
	go sys.assistLoop(tickCtx, 5*time.Second, time.Hour)
	go sys.oidcLoop(tickCtx, 10*time.Second)
	if cfg.Backup.Schedule {
		go sys.backupLoop(tickCtx, cfg, time.Minute)
	}
	if autoLimit {
		go memoryLimitLoop(tickCtx, cfg, handler.LiveConnections)
	}
	if cfg.IMAP != nil {
		go sys.mailLoop(tickCtx, *cfg.IMAP, cfg.IMAPInterval)
	}
	log.Info("frontdesk serving", "url", inst.url, "base_url", cfg.BaseURL, "database", sys.db.String(), "policy_profile", cfg.PolicyProfile, "version", Version)
	return inst, nil
}

// URL is where the instance listens, e.g. http://127.0.0.1:41234.
func (i *Instance) URL() string { return i.url }

// Stop shuts down gracefully: no new connections, requests in flight get
// the shutdown timeout, then the audit trail records the stop and signs a
// final checkpoint.
func (i *Instance) Stop() error {
	i.stopOnce.Do(func() {
		i.log.Info("shutting down", "timeout", i.timeout.String())
		ctx, cancel := context.WithTimeout(context.Background(), i.timeout)
		defer cancel()
		err := i.srv.Shutdown(ctx)
		if serveErr := <-i.done; serveErr != nil {
			err = errors.Join(err, serveErr)
		}
		i.stopTick()
		bg := context.Background()
		err = errors.Join(err, i.sys.record(bg, audit.Event{Action: "system.stop", Target: "server"}))
		err = errors.Join(err, i.sys.audit.Checkpoint(bg, i.sys.db))
		err = errors.Join(err, i.sys.close())
		i.stopErr = err
		i.log.Info("stopped")
	})
	return i.stopErr
}

// ready is the readiness check: the database answers and the schema is current.
func (s *system) ready(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return err
	}
	return s.db.CheckSchema(ctx)
}

// checkpointLoop signs the chain's tip periodically, so that at most one
// interval of entries is ever without a signed checkpoint.
func (s *system) checkpointLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if err := s.audit.Checkpoint(ctx, s.db); err != nil && ctx.Err() == nil {
			s.log.Error("audit checkpoint failed", "error", err.Error())
		}
	})
}

// purgeLoop deletes expired sessions, secrets and throttle counters.
func (s *system) purgeLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if err := s.id.Purge(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purging expired sign-in data failed", "error", err.Error())
		}
		if err := s.mfa.PurgeCeremonies(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purging expired passkey ceremonies failed", "error", err.Error())
		}
	})
}

// privacyLoop erases the accounts whose closure cool-off ended, deletes
// expired data exports and builds those waiting.
func (s *system) privacyLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		n, err := s.privacy.Sweep(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("privacy sweep failed", "error", err.Error())
		}
		if n > 0 {
			s.log.Info("closed accounts erased", "count", n)
		}
	})
}

// privacyDeadlineLoop reminds the privacy staff of the deadlines of
// data-subject requests and incidents, and mails the queued incident
// notices at their rate; one node at a time, under the job's lease.
func (s *system) privacyDeadlineLoop(ctx context.Context, interval time.Duration) {
	host, _ := os.Hostname()
	node := host + "/" + strconv.Itoa(os.Getpid()) + "/" + fmt.Sprintf("%p", s)
	every(ctx, interval, func(ctx context.Context) {
		if _, err := s.privacy.Tick(ctx, node); err != nil && ctx.Err() == nil {
			s.log.Error("privacy deadlines job failed", "error", err.Error())
		}
	})
}

// retentionLoop runs the retention purge once a day, on the node that
// takes the lease first.
func (s *system) retentionLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		run, err := s.privacy.RetentionTick(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("retention purge failed", "error", err.Error())
		}
		if run != nil {
			s.log.Info("retention purge done", "run", run.ID, "status", run.Status)
		}
	})
}

// recoveryLoop completes support-assisted recoveries whose cool-off is over.
func (s *system) recoveryLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		n, err := s.mfa.CompleteDueRecoveries(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("completing account recoveries failed", "error", err.Error())
		}
		if n > 0 {
			s.log.Info("account recoveries completed", "count", n)
		}
	})
}

// reindexSearch brings the customer search tokens up to date once, in the
// background, when the code's token scheme is newer than the database's
// (accounts from before the console's search have none).
func (s *system) reindexSearch(ctx context.Context) {
	start := time.Now()
	n, err := s.id.ReindexSearch(ctx, func(done int) {
		if done%10_000 == 0 {
			s.log.Info("re-indexing customer search", "accounts", done)
		}
	})
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("re-indexing customer search failed; it runs again at the next start", "error", err.Error(), "accounts", n)
	case err == nil && n > 0:
		s.log.Info("customer search re-indexed", "accounts", n, "duration", time.Since(start).Round(time.Millisecond).String())
	}
}

// nameOldConversations gives the conversations started before subjects
// were taken from the first message their subject, once, in the
// background (support.NameOldConversations).
func (s *system) nameOldConversations(ctx context.Context) {
	n, err := s.desk.NameOldConversations(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("naming old conversations failed; it runs again at the next start", "error", err.Error(), "named", n)
	case err == nil && n > 0:
		s.log.Info("old conversations named after their first message", "conversations", n)
	}
}

// perConnection is the memory a live chat socket holds (about 46 KiB
// measured, docs/benchmarks.md), with room to spare.
const perConnection = 64 << 10

// memoryLimit is the soft memory limit for a number of open sockets: the
// hashing budget, a base, and each socket's share — without the sockets'
// share, thousands of idle chats would keep the collector running back to
// back.
func memoryLimit(cfg Config, conns int) int64 {
	return cfg.HashMemoryBudget + 192<<20 + int64(conns)*perConnection
}

// memoryLimitLoop follows the number of open sockets with the soft memory
// limit, every few seconds, when it moved by more than a few percent.
func memoryLimitLoop(ctx context.Context, cfg Config, conns func() int) {
	last := memoryLimit(cfg, 0)
	every(ctx, 5*time.Second, func(context.Context) {
		if want := memoryLimit(cfg, conns()); want > last+last/20 || want < last-last/20 {
			debug.SetMemoryLimit(want)
			last = want
		}
	})
}

// deskLoop flags the conversations whose SLA targets have passed and
// sends the follow-ups that are due.
func (s *system) deskLoop(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func(ctx context.Context) {
		if n, err := s.desk.MarkBreaches(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("flagging SLA breaches failed", "error", err.Error())
		} else if n > 0 {
			s.log.Info("conversations past their SLA target", "count", n)
		}
		if _, err := s.desk.PurgeWebhookDeliveries(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("purging webhook deliveries failed", "error", err.Error())
		}
		if n, err := s.desk.SendFollowUps(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("sending support follow-ups failed", "error", err.Error())
		} else if n > 0 {
			s.log.Info("support follow-ups sent", "count", n)
		}
	})
}

// assistLoop ends remote-assistance sessions at their deadlines, sends
// the warnings, seals recording buffers (every tick) and moves recordings
// past their retention to archive files (every archiveEvery).
func (s *system) assistLoop(ctx context.Context, interval, archiveEvery time.Duration) {
	var lastArchive time.Time
	every(ctx, interval, func(ctx context.Context) {
		if err := s.assist.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("remote-assistance sweep failed", "error", err.Error())
		}
		if now := time.Now(); now.Sub(lastArchive) >= archiveEvery {
			lastArchive = now
			if n, err := s.assist.Archive(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("archiving session recordings failed", "error", err.Error(), "archived", n)
			} else if n > 0 {
				s.log.Info("session recordings archived", "count", n)
			}
		}
	})
}

// mailLoop turns the support mailbox's new e-mails into conversations,
// every interval, on whichever node holds the mailbox lease.
func (s *system) mailLoop(ctx context.Context, fc mailin.FetcherConfig, interval time.Duration) {
	f, err := mailin.NewFetcher(fc)
	if err != nil {
		s.log.Error("support mailbox not read", "error", err.Error())
		return
	}
	host, _ := os.Hostname()
	node := host + "/" + strconv.Itoa(os.Getpid())
	fetch := func(ctx context.Context) {
		n, err := s.desk.FetchMail(ctx, f, node, 3*interval+time.Minute)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("reading the support mailbox failed", "error", err.Error(), "stored", n)
		case n > 0:
			s.log.Info("support e-mails stored", "count", n)
		}
	}
	fetch(ctx)
	every(ctx, interval, fetch)
}

// Staff hygiene: unused staff accounts are disabled (PCI 8.2.6), access
// reviews start on schedule (every 6 months, 3 in pci: PCI 7.2.4) and
// grants left undecided at a review's deadline are revoked.
const (
	staffInactiveAfter = 90 * 24 * time.Hour
	reviewDeadline     = 14 * 24 * time.Hour
)

func (s *system) reviewEvery() time.Duration {
	if s.cfg.PolicyProfile == "pci" {
		return 91 * 24 * time.Hour
	}
	return 182 * 24 * time.Hour
}

// accessLoop runs the staff hygiene jobs at start and then every interval.
func (s *system) accessLoop(ctx context.Context, interval time.Duration) {
	s.staffHygiene(ctx)
	every(ctx, interval, s.staffHygiene)
}

// staffHygiene runs the staff hygiene jobs once.
func (s *system) staffHygiene(ctx context.Context) {
	if n, err := s.id.DisableInactiveStaff(ctx, staffInactiveAfter); err != nil && ctx.Err() == nil {
		s.log.Error("disabling inactive staff failed", "error", err.Error())
	} else if n > 0 {
		s.log.Info("inactive staff accounts disabled", "count", n)
	}
	if _, err := s.access.CloseDueReviews(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("closing access reviews failed", "error", err.Error())
	}
	if started, err := s.access.StartDueReview(ctx, s.reviewEvery(), reviewDeadline); err != nil && ctx.Err() == nil {
		s.log.Error("starting the access review failed", "error", err.Error())
	} else if started {
		s.log.Info("access review started")
	}
}

// supportAddress is the bare address of the support mailbox, for the
// contact page's mailto link ("" when unset).
func supportAddress(v string) string {
	if a, err := mail.ParseAddress(v); err == nil {
		return a.Address
	}
	return ""
}
