package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/frontdesk/frontdesk/bench/internal/benchkit"
)

const password = "Plum orbit lantern velvet 7!"

// session is one co-browsing session: its customer and agent, and their
// sockets once open.
type session struct {
	id       string
	conv     string
	customer *benchkit.Client
	agent    *benchkit.Client
	cust     *websocket.Conn // /support/assist/ws
	view     *websocket.Conn // /console/assist/ws
}

// createAgents makes n supervisors with "frontdesk admin create", signs
// them in with TOTP, puts them on the desk and gives them an identity card.
func createAgents(ctx context.Context, vars map[string]string, work, base string, n int) ([]*benchkit.Client, error) {
	agents := make([]*benchkit.Client, n)
	for i := range agents {
		email := fmt.Sprintf("agent-%02d@acme.example", i)
		if err := benchkit.CreateStaff(ctx, vars, work, email, password, "supervisor"); err != nil {
			return nil, err
		}
		a := benchkit.NewClient(base, 64)
		a.XFF = fmt.Sprintf("10.200.%d.9", i)
		if err := a.SignIn(email, password); err != nil {
			return nil, err
		}
		if err := a.EnrolTOTP(); err != nil {
			return nil, err
		}
		id, err := a.AccountID()
		if err != nil {
			return nil, err
		}
		if err := expect(a, "/console/desk/agents", url.Values{"account": {id}, "display_name": {fmt.Sprintf("Agent %d", i)}, "language": {"en"}}, http.StatusSeeOther); err != nil {
			return nil, err
		}
		card := url.Values{"staff_number": {fmt.Sprintf("S-%04d", 1000+i)}, "department": {"Card services"}}
		if err := expect(a, "/console/desk/agents/"+id+"/card", card, http.StatusSeeOther); err != nil {
			return nil, err
		}
		agents[i] = a
	}
	return agents, nil
}

// expect posts a form and checks the status.
func expect(c *benchkit.Client, path string, form url.Values, want int) error {
	status, _, body, err := c.PostForm(path, form)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	if status != want {
		return fmt.Errorf("POST %s: status %d, want %d: %.300s", path, status, want, body)
	}
	return nil
}

var (
	convLocation   = regexp.MustCompile(`^/support/([A-Za-z0-9_-]+)\?sent=1$`)
	assistLocation = regexp.MustCompile(`^/console/assist/([A-Za-z0-9_-]+)$`)
)

// createCustomers registers n customers through the API (each from an
// address of its own, as behind a proxy), verifies them with the code from
// the outbox, signs them in and has each write to support.
func createCustomers(base, dataDir string, n int) ([]*benchkit.Client, []string, error) {
	customers := make([]*benchkit.Client, n)
	emails := make([]string, n)
	for i := range customers {
		customers[i] = benchkit.NewClient(base, 4)
		customers[i].XFF = fmt.Sprintf("10.%d.%d.7", 100+i/256, i%256)
		emails[i] = fmt.Sprintf("customer-%04d@example.com", i)
	}
	// Each registration's secret goes back with its code, as a client keeps
	// it (docs/api.md); a server from before it was introduced sends none.
	secrets := make([]string, n)
	err := benchkit.Parallel(n, 8, func(i int) error {
		body := map[string]string{"email": emails[i], "password": password, "name": fmt.Sprintf("Customer %d", i)}
		var out struct {
			Registration string `json:"registration"`
		}
		err := customers[i].Call("POST", "/api/v1/registrations", body, http.StatusAccepted, &out)
		secrets[i] = out.Registration
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	codes, err := benchkit.WaitCodes(filepath.Join(dataDir, "outbox"), emails, 60e9)
	if err != nil {
		return nil, nil, err
	}
	convs := make([]string, n)
	err = benchkit.Parallel(n, 8, func(i int) error {
		c := customers[i]
		verify := map[string]string{"email": emails[i], "code": codes[emails[i]]}
		if secrets[i] != "" {
			verify["registration"] = secrets[i]
		}
		if err := c.Call("POST", "/api/v1/registrations/verify", verify, http.StatusOK, nil); err != nil {
			return err
		}
		if err := c.SignIn(emails[i], password); err != nil {
			return err
		}
		form := url.Values{"subject": {"The settings page keeps failing"}, "body": {"I cannot find where to change my card limit."}, "category": {"browser"}}
		status, loc, body, err := c.PostForm("/contact", form)
		if err != nil {
			return err
		}
		m := convLocation.FindStringSubmatch(loc)
		if status != http.StatusSeeOther || m == nil {
			return fmt.Errorf("contact: status %d, location %q: %.300s", status, loc, body)
		}
		convs[i] = m[1]
		return nil
	})
	return customers, convs, err
}

// openSessions invites each conversation, has the customer accept view
// only, and opens both sockets with their tickets, as the console's live
// view and assist.js do.
func openSessions(ctx context.Context, agents, customers []*benchkit.Client, convs []string) ([]*session, error) {
	sessions := make([]*session, len(customers))
	err := benchkit.Parallel(len(customers), 8, func(i int) error {
		s := &session{conv: convs[i], customer: customers[i], agent: agents[i%len(agents)]}
		status, loc, body, err := s.agent.PostForm("/console/conversations/"+s.conv+"/assist", nil)
		if err != nil {
			return err
		}
		m := assistLocation.FindStringSubmatch(loc)
		if status != http.StatusSeeOther || m == nil {
			return fmt.Errorf("invite: status %d, location %q: %.300s", status, loc, body)
		}
		s.id = m[1]
		custTicket, err := ticket(s.customer, "/support/assist/"+s.id+"/accept", url.Values{"level": {"view"}})
		if err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		if s.cust, err = join(ctx, s.customer, "/support/assist/ws", custTicket); err != nil {
			return fmt.Errorf("customer socket: %w", err)
		}
		agentTicket, err := ticket(s.agent, "/console/assist/"+s.id+"/ticket", nil)
		if err != nil {
			return fmt.Errorf("agent ticket: %w", err)
		}
		if s.view, err = join(ctx, s.agent, "/console/assist/ws", agentTicket); err != nil {
			return fmt.Errorf("agent socket: %w", err)
		}
		sessions[i] = s
		return nil
	})
	if err != nil {
		for _, s := range sessions {
			if s != nil {
				s.close()
			}
		}
		return nil, err
	}
	return sessions, nil
}

// ticket posts a form that answers with a join ticket.
func ticket(c *benchkit.Client, path string, form url.Values) (string, error) {
	status, _, body, err := c.PostForm(path, form)
	if err != nil {
		return "", err
	}
	var out struct{ Ticket string }
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Ticket == "" {
		return "", fmt.Errorf("%s: status %d: %.300s", path, status, body)
	}
	return out.Ticket, nil
}

// join opens a relay socket, says hello with the ticket and waits for the
// welcome.
func join(ctx context.Context, c *benchkit.Client, path, ticket string) (*websocket.Conn, error) {
	conn, err := c.Dial(ctx, path)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(32 << 20)
	if err := wsjson.Write(ctx, conn, map[string]string{"type": "hello", "ticket": ticket}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	var f struct{ Type, Code string }
	if err := wsjson.Read(ctx, conn, &f); err != nil || f.Type != "welcome" {
		conn.CloseNow()
		return nil, fmt.Errorf("no welcome (%s %s): %v", f.Type, f.Code, err)
	}
	return conn, nil
}

func (s *session) close() {
	for _, c := range []*websocket.Conn{s.cust, s.view} {
		if c != nil {
			c.Close(websocket.StatusNormalClosure, "")
		}
	}
}
