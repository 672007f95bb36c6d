package support

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/internal/db"
)

// Agents and teams. Any staff account can be made an agent of the desk
// (its permissions come from its roles, in the web layer); an agent has a
// display name customers see, the languages it answers in, a cap on the
// conversations it holds open, and an "away" switch. Teams group agents;
// a conversation can belong to a team.
//
// Automatic assignment is round-robin within the conversation's team (or
// among all agents when it has none): the agent assigned longest ago who is
// not away and under the cap, preferring one who speaks the conversation's
// language when any such agent is free.

// Agent is a staff member working the desk.
type Agent struct {
	AccountID   string   `json:"account_id"`
	DisplayName string   `json:"display_name"`
	Languages   []string `json:"languages"`
	Away        bool     `json:"away"`
	MaxOpen     int      `json:"max_open"`
	Open        int      `json:"open"` // conversations assigned and not yet resolved
	Teams       []string `json:"teams"`
	assignedSeq int64    // order of the last assignment; 0 = never
}

// Team is a group of agents.
type Team struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// SaveAgent creates or updates an agent.
func (s *Service) SaveAgent(ctx context.Context, a Agent) error {
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	if a.AccountID == "" {
		return invalid("account_id", "name the staff account")
	}
	if a.DisplayName == "" || len([]rune(a.DisplayName)) > 80 {
		return invalid("display_name", "a name of 1 to 80 characters")
	}
	var langs []string
	for _, l := range a.Languages {
		if l = normalizeLocale(l); !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	if a.MaxOpen <= 0 {
		a.MaxOpen = 10
	}
	if a.MaxOpen > 500 {
		return invalid("max_open", "at most 500")
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO support_agents (account_id, display_name, languages, away, max_open) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET display_name = excluded.display_name, languages = excluded.languages, away = excluded.away, max_open = excluded.max_open`,
			a.AccountID, a.DisplayName, strings.Join(langs, ","), a.Away, a.MaxOpen); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("support.agent_save", "account:"+a.AccountID, map[string]any{
			"languages": langs, "away": a.Away, "max_open": a.MaxOpen}))
	})
}

// SetAway switches an agent's availability (the agent's own switch).
func (s *Service) SetAway(ctx context.Context, accountID string, away bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE support_agents SET away = ? WHERE account_id = ?", away, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotAgent
		}
		return nil
	})
}

// Agents lists the desk's agents with their open load.
func (s *Service) Agents(ctx context.Context) ([]Agent, error) {
	var out []Agent
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.agents(ctx, tx, "")
		return err
	})
	return out, err
}

// AgentName returns the name customers see for an agent, "" for an
// account that is not one.
func (s *Service) AgentName(ctx context.Context, accountID string) (string, error) {
	var name string
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, "SELECT display_name FROM support_agents WHERE account_id = ?", accountID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return name, err
}

// agents reads the agents (of one team when team is set).
func (s *Service) agents(ctx context.Context, tx *db.Tx, team string) ([]Agent, error) {
	q := `SELECT a.account_id, a.display_name, a.languages, a.away, a.max_open, a.assigned_seq,
		(SELECT COUNT(*) FROM conversations c WHERE c.assignee_id = a.account_id AND c.status IN ('open', 'pending') AND c.merged_into IS NULL)
		FROM support_agents a`
	var args []any
	if team != "" {
		q += " JOIN support_team_members m ON m.account_id = a.account_id AND m.team_id = ?"
		args = append(args, team)
	}
	rows, err := tx.Query(ctx, q+" ORDER BY a.display_name, a.account_id", args...)
	out, err := db.Collect(rows, err, func(row db.Scanner) (a Agent, err error) {
		var langs string
		err = row.Scan(&a.AccountID, &a.DisplayName, &langs, &a.Away, &a.MaxOpen, &a.assignedSeq, &a.Open)
		a.Languages, a.Teams = strings.Split(langs, ","), []string{}
		return a, err
	})
	if err != nil {
		return nil, err
	}
	teams, err := tx.Query(ctx, "SELECT account_id, team_id FROM support_team_members ORDER BY team_id")
	if err != nil {
		return nil, err
	}
	defer teams.Close()
	byID := map[string]*Agent{}
	for i := range out {
		byID[out[i].AccountID] = &out[i]
	}
	for teams.Next() {
		var a, t string
		if err := teams.Scan(&a, &t); err != nil {
			return nil, err
		}
		if ag := byID[a]; ag != nil {
			ag.Teams = append(ag.Teams, t)
		}
	}
	return out, teams.Err()
}

// CreateTeam creates a team.
func (s *Service) CreateTeam(ctx context.Context, name string) (*Team, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return nil, invalid("name", "a name of 1 to 60 characters")
	}
	t := &Team{ID: newID(), Name: name, Members: []string{}}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM support_teams WHERE name = ?", name).Scan(&one); err == nil {
			return invalid("name", "a team with this name exists")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO support_teams (id, name, created_at) VALUES (?, ?, ?)", t.ID, name, tx.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("support.team_create", "team:"+t.ID, nil))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// SetTeamMember adds an agent to a team, or removes it.
func (s *Service) SetTeamMember(ctx context.Context, teamID, accountID string, member bool) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if err := s.checkTeam(ctx, tx, teamID); err != nil {
			return err
		}
		var err error
		if member {
			if err = s.checkAgent(ctx, tx, accountID); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "INSERT INTO support_team_members (team_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING", teamID, accountID)
		} else {
			_, err = tx.Exec(ctx, "DELETE FROM support_team_members WHERE team_id = ? AND account_id = ?", teamID, accountID)
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, auditEvent("support.team_member", "team:"+teamID, map[string]any{"agent": accountID, "member": member}))
	})
}

// Teams lists the teams with their members.
func (s *Service) Teams(ctx context.Context) ([]Team, error) {
	out := []Team{}
	err := s.db.Read(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT t.id, t.name, m.account_id FROM support_teams t
			LEFT JOIN support_team_members m ON m.team_id = t.id ORDER BY t.name, t.id, m.account_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, name string
			var member sql.NullString
			if err := rows.Scan(&id, &name, &member); err != nil {
				return err
			}
			if len(out) == 0 || out[len(out)-1].ID != id {
				out = append(out, Team{ID: id, Name: name, Members: []string{}})
			}
			if member.Valid {
				out[len(out)-1].Members = append(out[len(out)-1].Members, member.String)
			}
		}
		return rows.Err()
	})
	return out, err
}

func (s *Service) checkAgent(ctx context.Context, tx *db.Tx, accountID string) error {
	var one int
	err := tx.QueryRow(ctx, "SELECT 1 FROM support_agents WHERE account_id = ?", accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotAgent
	}
	return err
}

// Assign gives a conversation to an agent ("" unassigns it).
func (s *Service) Assign(ctx context.Context, convID, agentID string) error {
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		c, _, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		if agentID != "" {
			if err := s.checkAgent(ctx, tx, agentID); err != nil {
				return err
			}
		}
		return s.assign(ctx, tx, c, agentID, "manual")
	})
	if err == nil {
		s.publish(ctx, convID, "assigned", map[string]string{"assignee_id": agentID})
	}
	return err
}

func (s *Service) assign(ctx context.Context, tx *db.Tx, c *Conversation, agentID, how string) error {
	if c.AssigneeID == agentID {
		return nil
	}
	now := tx.Now()
	if _, err := tx.Exec(ctx, "UPDATE conversations SET assignee_id = ?, updated_at = ? WHERE id = ?", nullable(agentID), now, c.ID); err != nil {
		return err
	}
	if agentID != "" {
		if _, err := tx.Exec(ctx, "UPDATE support_agents SET assigned_seq = (SELECT COALESCE(MAX(assigned_seq), 0) + 1 FROM support_agents) WHERE account_id = ?", agentID); err != nil {
			return err
		}
	}
	prev := c.AssigneeID
	c.AssigneeID = agentID
	return s.audit.Record(ctx, tx, auditEvent("conversation.assign", "conversation:"+c.ID, map[string]any{"from": prev, "to": agentID, "how": how}))
}

// AutoAssign gives an unassigned conversation to the next free agent and
// returns the agent's id, or "" when no agent is free (the conversation
// stays in the queue).
func (s *Service) AutoAssign(ctx context.Context, convID string) (string, error) {
	var chosen string
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		chosen = ""
		c, _, err := s.load(ctx, tx, convID, true)
		if err != nil {
			return err
		}
		if c.AssigneeID != "" {
			chosen = c.AssigneeID
			return nil
		}
		agents, err := s.agents(ctx, tx, c.TeamID)
		if err != nil {
			return err
		}
		chosen = pickAgent(agents, c.Language)
		if chosen == "" {
			return nil
		}
		return s.assign(ctx, tx, c, chosen, "round_robin")
	})
	if err == nil && chosen != "" {
		s.publish(ctx, convID, "assigned", map[string]string{"assignee_id": chosen})
	}
	return chosen, err
}

// pickAgent chooses among available agents (not away, under their cap)
// the one assigned longest ago (never assigned first), preferring agents
// who speak lang.
func pickAgent(agents []Agent, lang string) string {
	var free []Agent
	for _, a := range agents {
		if !a.Away && a.Open < a.MaxOpen {
			free = append(free, a)
		}
	}
	if speakers := slices.DeleteFunc(slices.Clone(free), func(a Agent) bool { return !slices.Contains(a.Languages, lang) }); len(speakers) > 0 {
		free = speakers
	}
	if len(free) == 0 {
		return ""
	}
	slices.SortStableFunc(free, func(a, b Agent) int {
		if a.assignedSeq != b.assignedSeq {
			return cmp.Compare(a.assignedSeq, b.assignedSeq)
		}
		return strings.Compare(a.AccountID, b.AccountID)
	})
	return free[0].AccountID
}
