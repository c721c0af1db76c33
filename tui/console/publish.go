package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/views"
)

// The root acts, the views only draw: the commands that publish an action
// or acknowledge an event live here, beside the root that runs them, with
// what becomes of an action once confirmed (tracking, answers, audit).

// PublishedMsg carries the transport's answer for a confirmed action; the
// root passes it to Tracker.Result and writes the audit line.
type PublishedMsg struct {
	ID     string
	Result mqttconn.PublishResult
	At     time.Time
}

// Publisher is what an action needs of the transport; mqttconn.Client is
// one.
type Publisher interface {
	Publish(ctx context.Context, req mqttconn.PublishRequest) mqttconn.PublishResult
}

// defaultPublishTimeout bounds a publish when Actions.Timeout is unset.
const defaultPublishTimeout = 10 * time.Second

// publishCmd publishes a confirmed action off the UI goroutine. The root
// calls Tracker.Add (and writes the audit) before returning this command.
// Read-only is enforced inside Client.Publish (OutcomeReadOnly).
func publishCmd(c Publisher, a actions.Action, timeout time.Duration) tea.Cmd {
	return func() tea.Msg {
		if c == nil {
			return PublishedMsg{ID: a.ID, At: time.Now(), Result: mqttconn.PublishResult{
				Outcome: mqttconn.OutcomeOffline, Reason: "no connection"}}
		}
		if timeout <= 0 {
			timeout = defaultPublishTimeout
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		r := c.Publish(ctx, a.Request)
		return PublishedMsg{ID: a.ID, Result: r, At: time.Now()}
	}
}

// AckedMsg is the answer of DRIVR's ackEvent mutation.
type AckedMsg struct{ Result actions.AckResult }

// ackCmd acknowledges an event through DRIVR's GraphQL API off the UI
// goroutine. Without endpoint and token the root shows actions.AckHelp
// instead of calling this.
func ackCmd(c actions.AckClient, eventUUID string) tea.Cmd {
	return func() tea.Msg {
		return AckedMsg{Result: c.Ack(context.Background(), eventUUID)}
	}
}

// send tracks and audits a confirmed action, then publishes it.
func (m *Model) send(a actions.Action) tea.Cmd {
	if !m.act.on {
		m.notice(actionTitle(a) + ": actions are off: " + m.act.off)
		return nil
	}
	if _, dup := m.act.tr.Get(a.ID); dup {
		return nil
	}
	a.By = m.act.cfg.By
	e := m.act.tr.Add(a, m.now())
	m.writeAudit(e)
	m.notice(fmt.Sprintf("#%d %s: sending to %s", e.Seq, strings.ToLower(actionTitle(a)), decode.Truncate(decode.Safe(a.Request.Topic), 60)))
	m.stale = true
	return m.flight.track(a.ID, publishCmd(m.act.cfg.Publisher, a, m.act.cfg.Timeout))
}

// answerWindowMsg: the answer window of an action has ended.
type answerWindowMsg struct{}

// published records the broker's answer. A publish that did not get
// through also goes to the Errors pane. One that did and expects an answer
// is looked at again when its answer window ends, so an answer that never
// comes is said even when no message arrives meanwhile.
func (m *Model) published(msg PublishedMsg) tea.Cmd {
	m.flight.taken(msg.ID)
	if _, ok := m.act.tr.Result(msg.ID, msg.Result, msg.At); !ok {
		return nil
	}
	defer func() { m.stale = true }()
	e, _ := m.act.tr.Get(msg.ID)
	m.writeAudit(e)
	st := e.Status()
	m.notice(fmt.Sprintf("#%d %s %s", e.Seq, st.Glyph, st.Word))
	switch e.Phase {
	case actions.PhaseRefused, actions.PhaseTimeout, actions.PhaseOffline, actions.PhaseFailed:
		why := st.Word
		if e.Result.Reason != "" {
			why += ": " + e.Result.Reason
		}
		m.addError(fleet.ErrorReport{
			Source:  fleet.ErrPublish,
			Topic:   e.Action.Request.Topic,
			Code:    strings.ToUpper(strings.ReplaceAll(e.Phase.Word(), "-", "_")),
			Message: fmt.Sprintf("action #%d (%s) %s", e.Seq, actionTitle(e.Action), decode.Safe(why)),
		})
	}
	if e.Phase != actions.PhaseAcked && e.Phase != actions.PhaseTimeout {
		return nil // nothing left the console: no answer can come
	}
	return tea.Tick(actions.AnswerWindow()+time.Second, func(time.Time) tea.Msg { return answerWindowMsg{} })
}

// expire ends the wait of the actions whose answer window passed in
// silence; each goes to the audit, the newest to the status bar.
func (m *Model) expire() {
	m.said(m.act.tr.Expire(m.now()))
}

// observe matches a batch against the actions waiting for an answer; each
// change goes to the audit, the newest to the status bar.
func (m *Model) observe(items []fleet.Item) {
	m.said(m.act.tr.Observe(items))
	m.expire()
}

// said audits changes and shows the newest in the status bar.
func (m *Model) said(changes []actions.Change) {
	var last *actions.Entry
	for _, c := range changes {
		if e, ok := m.act.tr.Get(c.ID); ok {
			m.auditErr(m.act.audit.WriteChange(e, c))
			last = e
		}
	}
	if last != nil {
		st := last.Status()
		m.notice(fmt.Sprintf("#%d %s %s", last.Seq, st.Glyph, decode.Safe(st.Word)))
	}
}

// writeAudit appends an entry's state to the audit; a failure is said once,
// in the status bar and the Errors pane.
func (m *Model) writeAudit(e *actions.Entry) {
	m.auditErr(m.act.audit.Write(e))
}

func (m *Model) auditErr(err error) {
	if err == nil || m.act.auditBroken {
		return
	}
	m.act.auditBroken = true
	m.addError(fleet.ErrorReport{Source: fleet.ErrPublish, Code: "AUDIT_FAILED", Message: decode.Safe(err.Error())})
	m.notice("audit: " + decode.Safe(err.Error()))
}

// ackSelected acknowledges the selected event through DRIVR's GraphQL API,
// or explains how to configure it.
func (m *Model) ackSelected() tea.Cmd {
	id := ""
	if m.focus == PaneActions {
		if e, ok := m.actP.Selected(); ok {
			id = e.EventUUID
		}
	} else if sub := m.Selection(); sub.Kind == views.SubjectEvent {
		id = sub.EventID
		if ev := m.store.Event(sub.Ref.Platform, sub.Ref.Fleet, id); ev != nil && ev.Acked {
			m.notice("event " + shortUUID(id) + " is already acknowledged")
			return nil
		}
	}
	if id == "" {
		m.notice("a acknowledges the selected event: pick one in Events (2) or an action's event in Actions (7)")
		return nil
	}
	if !m.act.cfg.Ack.Configured() {
		m.act.info = views.NewInfo(m.styles, "Acknowledge event "+shortUUID(id), ackHowTo())
		m.OpenModal(m.act.info)
		return nil
	}
	m.notice("acknowledging event " + shortUUID(id) + " through GraphQL…")
	return ackCmd(m.act.cfg.Ack, id)
}

// acked shows the GraphQL answer and audits it.
func (m *Model) acked(r actions.AckResult) {
	m.auditErr(m.act.audit.WriteAck(m.act.cfg.Ack.Endpoint, r))
	if r.OK {
		m.notice("event " + shortUUID(r.UUID) + " acknowledged (GraphQL ok); its ack topic confirms it")
		return
	}
	msg := "not acknowledged"
	if err := r.Err(); err != nil {
		msg = err.Error()
	}
	msg = decode.Safe(msg)
	m.addError(fleet.ErrorReport{Source: fleet.ErrPublish, Code: "ACK_FAILED", Topic: "ackEvent " + decode.Safe(r.UUID), Message: msg})
	m.notice("ack " + shortUUID(r.UUID) + " failed: " + msg)
}

// ackHowTo is what `a` shows without a GraphQL endpoint and token.
func ackHowTo() []string {
	return []string{
		"DRIVR acknowledges events only through its GraphQL API (the ackEvent mutation); MQTT has no topic for it.",
		"",
		"mqdeck calls it when the profile names the endpoint and where the token is:",
		"",
		"  [profiles.NAME]",
		`  graphql_endpoint  = "https://<slug>.api.drivr.cloud/graphql"`,
		`  graphql_token_env = "DRIVR_TOKEN"   # or graphql_token_file = "~/.config/drivr-token"`,
		"",
		"or the flags --graphql-endpoint and --graphql-token-env / --graphql-token-file.",
		"The token is read from the variable or file, never from the command line, and never shown.",
		"The event's .../ack topic then confirms the acknowledgement live.",
	}
}

// shortUUID keeps the head of a uuid for one-line notices.
func shortUUID(id string) string {
	id = decode.Safe(id)
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}
