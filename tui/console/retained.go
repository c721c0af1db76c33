package console

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/topics"
	"github.com/mqdeck/mqdeck/views"
)

// clearState is one retained cleanup: the exact topics the dry run listed
// are the ones cleared, whatever arrives in between.
type clearState struct {
	id     int
	filter string
	names  []string
	modal  *views.ClearConfirm
	sent   bool
}

// startClear lists the retained topics under n (the dry run) and asks for
// confirmation.
func (m *Model) startClear(n *topics.Node) tea.Cmd {
	if !m.act.on {
		m.notice("clear retained: actions are off: " + m.act.off)
		return nil
	}
	if m.topics.clear != nil && m.topics.clear.sent {
		m.notice("clear retained: the previous cleanup is still running")
		return nil
	}
	if n == nil {
		m.notice("clear retained: no topic selected")
		return nil
	}
	names, total := m.store.Topics().RetainedUnder(n, 0)
	filter := decode.Safe(n.Filter())
	if total == 0 {
		m.notice("no retained topic seen under " + decode.Truncate(filter, 60))
		return nil
	}
	safeNames := make([]string, 0, min(len(names), views.ClearPreview))
	for _, s := range names[:min(len(names), views.ClearPreview)] {
		safeNames = append(safeNames, decode.Safe(s))
	}
	m.topics.clearSeq++ // never reused: an old modal's answer matches no new one
	id := m.topics.clearSeq
	c := &clearState{id: id, filter: filter, names: names}
	c.modal = views.NewClearConfirm(m.styles, id, filter, safeNames, len(names))
	m.topics.clear = c
	m.OpenModal(c.modal)
	return nil
}

// clearMsg handles the cleanup's messages; ok is false for any other.
func (m *Model) clearMsg(msg tea.Msg) (tea.Cmd, bool) {
	c := m.topics.clear
	switch msg := msg.(type) {
	case views.ClearNoMsg:
		if c != nil && c.id == msg.ID && !c.sent {
			m.topics.clear = nil
			m.CloseModal()
			m.notice("cancelled, nothing cleared")
		}
		return nil, true
	case views.ClearYesMsg:
		if c == nil || c.id != msg.ID || c.sent || m.modal != views.Modal(c.modal) {
			return nil, true // an old or second yes never sends twice
		}
		c.sent = true
		m.CloseModal()
		m.notice(fmt.Sprintf("clearing %d retained topic(s) under %s…", len(c.names), decode.Truncate(c.filter, 50)))
		pub, audit, timeout, names, id := m.act.cfg.Publisher, m.act.audit, m.act.cfg.Timeout, c.names, c.id
		return func() tea.Msg {
			res, err := actions.ClearRetained(context.Background(), pub, names, audit, timeout)
			return views.ClearedMsg{ID: id, Result: res, Audit: err}
		}, true
	case views.ClearedMsg:
		if c != nil && c.id == msg.ID {
			m.topics.clear = nil
		}
		m.auditErr(msg.Audit)
		r := msg.Result
		switch {
		case r.ReadOnly:
			m.notice("read-only: the transport refused, nothing cleared")
		case len(r.Failed) == 0:
			m.notice(fmt.Sprintf("cleared %d retained topic(s)", len(r.Cleared)))
		default:
			why := decode.Safe(r.Reason)
			m.notice(fmt.Sprintf("cleared %d, not cleared %d: %s", len(r.Cleared), len(r.Failed), why))
			m.addError(fleet.ErrorReport{Source: fleet.ErrPublish, Topic: decode.Safe(r.Failed[0]), Code: "CLEAR_RETAINED_FAILED",
				Message: fmt.Sprintf("%d retained topic(s) not cleared: %s", len(r.Failed), why)})
		}
		return nil, true
	}
	return nil, false
}
