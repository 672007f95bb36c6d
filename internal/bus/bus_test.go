package bus_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/frontdesk/frontdesk/internal/bus"
)

// deadline is how long a test waits for something before failing; nothing is
// asserted about timing.
const deadline = 5 * time.Second

// impl opens two buses that see each other's messages: the same Local twice,
// or two NATS connections, as two nodes of one installation would.
type impl struct {
	name string
	open func(t testing.TB) (a, b bus.Bus)
}

var impls = []impl{
	{"local", func(t testing.TB) (bus.Bus, bus.Bus) {
		t.Helper()
		b := bus.NewLocal()
		t.Cleanup(func() { closeWithin(t, b) })
		return b, b
	}},
	{"nats", func(t testing.TB) (bus.Bus, bus.Bus) {
		t.Helper()
		prefix := randomPrefix()
		return connectNATS(t, prefix, "a"), connectNATS(t, prefix, "b")
	}},
}

func natsURL() string {
	if u := os.Getenv("FRONTDESK_TEST_NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// randomPrefix keeps concurrent tests, and test runs, on one server apart.
func randomPrefix() string { return "fdtest." + rand.Text() }

func connectNATS(t testing.TB, prefix, node string) *bus.NATS {
	t.Helper()
	b, err := bus.ConnectNATS(bus.NATSConfig{URL: natsURL(), Name: "frontdesk-test " + node, Prefix: prefix})
	if err != nil {
		t.Fatalf("NATS does not answer at %s (%v): run scripts/ensure-nats.sh, or set FRONTDESK_TEST_NATS_URL", natsURL(), err)
	}
	t.Cleanup(func() { closeWithin(t, b) })
	return b
}

// closeWithin closes b, failing the test if Close fails or hangs.
func closeWithin(t testing.TB, b bus.Bus) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- b.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("close: %v", err)
		}
	case <-time.After(deadline):
		t.Errorf("Close did not return within %s", deadline)
	}
}

func TestBus(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, a, b bus.Bus)
	}{
		{"fan-out across nodes", testFanOut},
		{"wildcards", testWildcards},
		{"order", testOrder},
		{"unsubscribe", testUnsubscribe},
		{"slow subscriber", testSlowSubscriber},
		{"close", testClose},
		{"invalid input", testInvalid},
		{"buffer reuse", testBufferReuse},
	}
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					a, b := im.open(t)
					c.run(t, a, b)
				})
			}
		})
	}
}

// inbox collects what a subscription receives.
type inbox chan bus.Message

func subscribe(t *testing.T, b bus.Bus, pattern string) (inbox, bus.Subscription) {
	t.Helper()
	in := make(inbox, 2*bus.QueueLen)
	sub, err := b.Subscribe(pattern, func(m bus.Message) { in <- m })
	if err != nil {
		t.Fatalf("subscribe %q: %v", pattern, err)
	}
	return in, sub
}

func (in inbox) next(t *testing.T) bus.Message {
	t.Helper()
	select {
	case m := <-in:
		return m
	case <-time.After(deadline):
		t.Fatalf("no message within %s", deadline)
		return bus.Message{}
	}
}

func publish(t *testing.T, b bus.Bus, subject, data string) {
	t.Helper()
	if err := b.Publish(t.Context(), subject, []byte(data)); err != nil {
		t.Fatalf("publish %q: %v", subject, err)
	}
}

func show(m bus.Message) string { return m.Subject + " " + string(m.Data) }

func testFanOut(t *testing.T, a, b bus.Bus) {
	var inboxes []inbox
	for _, p := range []string{"conv.7.msg", "conv.7.msg", "conv.*.msg", "conv.>", ">"} {
		in, _ := subscribe(t, b, p)
		inboxes = append(inboxes, in)
	}
	in, _ := subscribe(t, a, "conv.7.msg")
	inboxes = append(inboxes, in)

	publish(t, a, "conv.7.msg", "from a")
	publish(t, b, "conv.7.msg", "from b")
	for i, in := range inboxes {
		// Two publishers: each subscriber sees both, in either order.
		got := []string{show(in.next(t)), show(in.next(t))}
		slices.Sort(got)
		if want := []string{"conv.7.msg from a", "conv.7.msg from b"}; !slices.Equal(got, want) {
			t.Errorf("subscriber %d got %q, want %q", i, got, want)
		}
	}
}

func testWildcards(t *testing.T, a, b bus.Bus) {
	subjects := []string{"conv.1.msg", "conv.1.typing", "conv.2.msg", "conv.1", "conv.1.msg.edit", "session.9.revoke", "conv"}
	cases := []struct {
		pattern string
		want    []string
	}{
		{"conv.1.msg", []string{"conv.1.msg"}},
		{"conv.*.msg", []string{"conv.1.msg", "conv.2.msg"}},
		{"conv.1.*", []string{"conv.1.msg", "conv.1.typing"}},
		{"conv.*", []string{"conv.1"}},
		{"*.1", []string{"conv.1"}},
		{"*.*.msg", []string{"conv.1.msg", "conv.2.msg"}},
		{"*", []string{"conv"}},
		{"conv", []string{"conv"}},
		{"conv.>", []string{"conv.1.msg", "conv.1.typing", "conv.2.msg", "conv.1", "conv.1.msg.edit"}},
		{"conv.1.>", []string{"conv.1.msg", "conv.1.typing", "conv.1.msg.edit"}},
		{"*.*.>", []string{"conv.1.msg", "conv.1.typing", "conv.2.msg", "conv.1.msg.edit", "session.9.revoke"}},
		{">", subjects},
		{"nobody.*", nil},
	}
	inboxes := make([]inbox, len(cases))
	for i, c := range cases {
		inboxes[i], _ = subscribe(t, b, c.pattern)
	}
	for _, s := range subjects {
		publish(t, a, s, "event")
	}
	// A fence per pattern, published last by the same publisher: when a
	// subscriber has it, it has everything it will ever get.
	for i, c := range cases {
		fence := strings.NewReplacer("*", "fence", ">", "fence").Replace(c.pattern)
		publish(t, a, fence, "fence "+strconv.Itoa(i))
	}
	for i, c := range cases {
		var got []string
		for {
			m := inboxes[i].next(t)
			if string(m.Data) == "fence "+strconv.Itoa(i) {
				break
			}
			if string(m.Data) == "event" {
				got = append(got, m.Subject)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q got %q, want %q", c.pattern, got, c.want)
		}
	}
}

func testOrder(t *testing.T, a, b bus.Bus) {
	const n = bus.QueueLen - 1 // all fit in the queue: none may be dropped
	in1, _ := subscribe(t, b, "conv.1.>")
	in2, _ := subscribe(t, b, "conv.*.msg")
	for i := range n {
		publish(t, a, "conv.1.msg", strconv.Itoa(i))
	}
	for _, in := range []inbox{in1, in2} {
		for i := range n {
			if m := in.next(t); string(m.Data) != strconv.Itoa(i) {
				t.Fatalf("message %d is %q", i, m.Data)
			}
		}
	}
}

func testUnsubscribe(t *testing.T, a, b bus.Bus) {
	var unsubscribed atomic.Bool
	in := make(inbox, 1)
	sub, err := b.Subscribe("session.*.revoke", func(m bus.Message) {
		if unsubscribed.Load() {
			t.Errorf("handler called after Unsubscribe with %q", show(m))
			return
		}
		in <- m
	})
	if err != nil {
		t.Fatal(err)
	}
	witness, _ := subscribe(t, b, "session.>")

	publish(t, a, "session.1.revoke", "before")
	if m := in.next(t); string(m.Data) != "before" {
		t.Fatalf("got %q", show(m))
	}
	for range 2 { // idempotent
		if err := sub.Unsubscribe(); err != nil {
			t.Fatalf("unsubscribe: %v", err)
		}
	}
	unsubscribed.Store(true)
	publish(t, a, "session.1.revoke", "after")
	publish(t, a, "session.1.revoke", "fence")
	for _, want := range []string{"before", "after", "fence"} {
		if m := witness.next(t); string(m.Data) != want {
			t.Fatalf("witness got %q, want %q", m.Data, want)
		}
	}
}

type statser interface{ Stats() bus.Stats }

// testSlowSubscriber blocks one handler and overfills its queue: Publish must
// not block, another subscriber must get everything, and the overflow is
// dropped and counted.
func testSlowSubscriber(t *testing.T, a, b bus.Bus) {
	const extra = 10
	const n = 1 + bus.QueueLen + extra // one in the handler, a full queue, the overflow
	started, release := make(chan struct{}), make(chan struct{})
	slow := make(inbox, n+1)
	_, err := b.Subscribe("cobrowse.>", func(m bus.Message) {
		if string(m.Data) == "0" {
			close(started)
			<-release
		}
		slow <- m
	})
	if err != nil {
		t.Fatal(err)
	}
	unblock := sync.OnceFunc(func() { close(release) })
	defer unblock() // on failure too
	fast, _ := subscribe(t, b, "cobrowse.>")

	published := make(chan error, 1)
	go func() {
		for i := range n {
			if err := a.Publish(t.Context(), "cobrowse.1.scroll", []byte(strconv.Itoa(i))); err != nil {
				published <- err
				return
			}
			// Wait for the fast subscriber each time, so only the slow one
			// can fall behind; and start the flood once the slow one is stuck.
			select {
			case m := <-fast:
				if string(m.Data) != strconv.Itoa(i) {
					published <- fmt.Errorf("fast subscriber got %q, want %d", m.Data, i)
					return
				}
			case <-time.After(deadline):
				published <- fmt.Errorf("fast subscriber did not get message %d within %s", i, deadline)
				return
			}
			if i == 0 {
				select {
				case <-started:
				case <-time.After(deadline):
					published <- errors.New("slow subscriber did not start")
					return
				}
			}
		}
		published <- nil
	}()
	select {
	case err := <-published:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(deadline):
		t.Fatal("Publish blocked behind a slow subscriber")
	}

	// Over NATS the slow subscriber's copy of the last message may still be
	// on its way when the fast one has it.
	stats := b.(statser)
	for start := time.Now(); stats.Stats().Dropped < extra && time.Since(start) < deadline; {
		time.Sleep(time.Millisecond)
	}
	if got := stats.Stats().Dropped; got != extra {
		t.Errorf("Stats().Dropped = %d, want %d", got, extra)
	}
	unblock()
	for i := range 1 + bus.QueueLen {
		if m := slow.next(t); string(m.Data) != strconv.Itoa(i) {
			t.Fatalf("slow subscriber's message %d is %q", i, m.Data)
		}
	}
	publish(t, a, "cobrowse.1.scroll", "fence")
	if m := slow.next(t); string(m.Data) != "fence" {
		t.Fatalf("slow subscriber got %q after its queue, want the fence", m.Data)
	}
}

func testClose(t *testing.T, a, _ bus.Bus) {
	const n = 100
	var mu sync.Mutex
	var got []string
	sub, err := a.Subscribe("conv.1.msg", func(m bus.Message) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, string(m.Data))
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range n {
		want = append(want, strconv.Itoa(i))
		publish(t, a, "conv.1.msg", want[i])
	}
	if err := a.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	mu.Lock()
	if !slices.Equal(got, want) { // Close delivers what was published before it
		t.Errorf("delivered before Close returned: %d messages, want %d in order", len(got), n)
	}
	mu.Unlock()

	if err := a.Publish(t.Context(), "conv.1.msg", nil); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("publish after close: %v, want ErrClosed", err)
	}
	if _, err := a.Subscribe("conv.1.msg", func(bus.Message) {}); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("subscribe after close: %v, want ErrClosed", err)
	}
	if err := sub.Unsubscribe(); err != nil {
		t.Errorf("unsubscribe after close: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func testInvalid(t *testing.T, a, _ bus.Bus) {
	long := strings.Repeat("a.", bus.MaxSubjectLen/2) + "a"
	badBoth := []string{"", ".", "conv..msg", ".conv", "conv.", "conv msg", "conv.\tmsg", "conv.\nmsg", "conv.\x00",
		"conv*", "conv.m>", "conv.*x", "\xff\xfe", long}
	badPublish := append([]string{"*", ">", "conv.*", "conv.>", "*.msg"}, badBoth...)
	badPattern := append([]string{">.msg", "conv.>.msg", "conv.>.>"}, badBoth...)
	for _, s := range badPublish {
		if err := a.Publish(t.Context(), s, []byte("x")); !errors.Is(err, bus.ErrInvalidSubject) {
			t.Errorf("Publish(%q) = %v, want ErrInvalidSubject", s, err)
		}
	}
	for _, p := range badPattern {
		sub, err := a.Subscribe(p, func(bus.Message) {})
		if !errors.Is(err, bus.ErrInvalidSubject) || sub != nil {
			t.Errorf("Subscribe(%q) = %v, %v, want ErrInvalidSubject", p, sub, err)
		}
	}
	if _, err := a.Subscribe("conv.*", nil); err == nil {
		t.Error("Subscribe with a nil handler succeeded")
	}
	big := make([]byte, bus.MaxDataLen+1)
	if err := a.Publish(t.Context(), "conv.1.msg", big); !errors.Is(err, bus.ErrTooLarge) {
		t.Errorf("Publish of %d bytes = %v, want ErrTooLarge", len(big), err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := a.Publish(ctx, "conv.1.msg", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with a cancelled context = %v", err)
	}
	// A long valid subject, and empty data, are accepted.
	in, _ := subscribe(t, a, "a.>")
	valid := long[:bus.MaxSubjectLen-1]
	publish(t, a, valid, "")
	if m := in.next(t); m.Subject != valid || len(m.Data) != 0 {
		t.Errorf("got %q", show(m))
	}
}

func testBufferReuse(t *testing.T, a, b bus.Bus) {
	in, _ := subscribe(t, b, "conv.1.msg")
	buf := []byte("first")
	if err := a.Publish(t.Context(), "conv.1.msg", buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX")
	if err := a.Publish(t.Context(), "conv.1.msg", buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", "XXXXX"} {
		if m := in.next(t); string(m.Data) != want {
			t.Errorf("got %q, want %q", m.Data, want)
		}
	}
}

// TestNATSPrefix checks that a prefix confines an installation: its
// subscribers see only its own subjects, without the prefix.
func TestNATSPrefix(t *testing.T) {
	prefix := randomPrefix()
	scoped := connectNATS(t, prefix, "scoped")
	raw := connectNATS(t, "", "raw") // sees the wire subjects

	in, _ := subscribe(t, scoped, ">")
	rawIn, _ := subscribe(t, raw, prefix+".>")
	publish(t, raw, randomPrefix()+".conv.1.msg", "other installation")
	publish(t, raw, prefix+".conv.1.msg", "ours")
	if m := in.next(t); show(m) != "conv.1.msg ours" {
		t.Errorf("scoped subscriber got %q, want only its own subject, unprefixed", show(m))
	}
	publish(t, scoped, "conv.2.msg", "out")
	for _, want := range []string{prefix + ".conv.1.msg ours", prefix + ".conv.2.msg out"} {
		if m := rawIn.next(t); show(m) != want {
			t.Errorf("raw subscriber got %q, want %q", show(m), want)
		}
	}
}

func TestConnectNATSErrors(t *testing.T) {
	for _, p := range []string{"a..b", "a.*", "with space"} {
		if _, err := bus.ConnectNATS(bus.NATSConfig{URL: natsURL(), Prefix: p}); !errors.Is(err, bus.ErrInvalidSubject) {
			t.Errorf("prefix %q: %v, want ErrInvalidSubject", p, err)
		}
	}
	if _, err := bus.ConnectNATS(bus.NATSConfig{URL: "nats://127.0.0.1:1"}); err == nil {
		t.Error("connect to a closed port succeeded")
	}
}

// TestNoGoroutineLeak runs alone (it is not parallel), so any goroutine left
// after Close belongs to the bus.
func TestNoGoroutineLeak(t *testing.T) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			a, b := im.open(t)
			var subs []bus.Subscription
			var inboxes []inbox
			for range 10 {
				in, sub := subscribe(t, b, "conv.>")
				subs, inboxes = append(subs, sub), append(inboxes, in)
			}
			block := make(chan struct{})
			_, err := b.Subscribe("conv.1.msg", func(bus.Message) { <-block })
			if err != nil {
				t.Fatal(err)
			}
			publish(t, a, "conv.1.msg", "x")
			for i, sub := range subs[:5] { // idle ones: their goroutines wait for more
				inboxes[i].next(t)
				if err := sub.Unsubscribe(); err != nil {
					t.Fatal(err)
				}
			}
			close(block)

			closeWithin(t, a)
			closeWithin(t, b)
			if !t.Failed() {
				goleak.VerifyNone(t, before)
			}
		})
	}
}

// FuzzSubject feeds arbitrary subjects to the local bus: no panic, and a
// subject Publish accepts reaches a subscription to itself.
func FuzzSubject(f *testing.F) {
	for _, s := range []string{"conv.1.msg", "a", "*", ">", "a.>", "a..b", "a b", "a*", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := bus.NewLocal()
		defer b.Close()
		got := make(chan struct{}, 1)
		_, subErr := b.Subscribe(s, func(bus.Message) { got <- struct{}{} })
		if err := b.Publish(t.Context(), s, nil); err != nil {
			return
		}
		if subErr != nil {
			t.Fatalf("Publish accepts %q but Subscribe refuses it: %v", s, subErr)
		}
		select {
		case <-got:
		case <-time.After(deadline):
			t.Fatalf("%q did not reach its own subscription", s)
		}
	})
}
