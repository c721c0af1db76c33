package console

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/topics"
	"github.com/mqdeck/mqdeck/views"
)

// topicsState is the root's part of the topic tree: the pane, and whether
// it holds the fleet's place in the grid (generic brokers, or the tree
// was focused more recently than the fleet).
type topicsState struct {
	pane     *views.TopicsPane
	first    bool
	generic  bool        // --platform generic: the tree is the main pane
	clear    *clearState // the retained cleanup in progress, nil when none
	clearSeq int
}

func newTopicsState(st themes.Styles, k views.Keys, store *fleet.Store) topicsState {
	return topicsState{pane: views.NewTopicsPane(st, k, store.Topics(), store.Now)}
}

// placeTopics gives the tree the fleet's rectangle in the grid when it is
// the one of the two in front; on a generic broker, whose fleet and
// telemetry stay empty, it takes the telemetry's place below too (unless
// the telemetry has focus). Elsewhere Layout already shows the focused
// pane.
func (m *Model) placeTopics() {
	r := &m.rects
	if !r.Grid || !m.topics.first {
		return
	}
	if !r.Panes[PaneFleet].Empty() {
		r.Panes[PaneTopics], r.Panes[PaneFleet] = r.Panes[PaneFleet], Rect{}
	}
	t, below := r.Panes[PaneTopics], r.Panes[PaneTelemetry]
	if m.topics.generic && m.focus != PaneTelemetry && below.X == t.X && below.W == t.W && below.Y == t.Y+t.H {
		r.Panes[PaneTopics].H += below.H
		r.Panes[PaneTelemetry] = Rect{}
	}
}

// topicsFocused: focusing the fleet or the tree brings it to the front.
func (m *Model) topicsFocused(p Pane) {
	switch p {
	case PaneFleet:
		m.topics.first = false
	case PaneTopics:
		m.topics.first = true
	}
}

// topicsKey handles the tree's actions while it has focus: copy, clear
// retained, plot. ok is false for any other key.
func (m *Model) topicsKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	if m.focus != PaneTopics {
		return nil, false
	}
	km := &m.keys.Pane
	n := m.topics.pane.Selected()
	switch {
	case key.Matches(k, km.CopyTopic):
		if n == nil {
			m.notice("copy: no topic selected")
			return nil, true
		}
		t := n.Path()
		m.notice("copied topic " + decode.Truncate(decode.Safe(t), 60) + " (OSC 52)")
		return tea.SetClipboard(t), true
	case key.Matches(k, km.CopyPayload):
		if n == nil || n.Topic() == nil {
			m.notice("copy: the selected node has no payload of its own")
			return nil, true
		}
		e, ok := n.Topic().LastEntry()
		switch {
		case !ok || e.Size == 0:
			m.notice("copy: the last payload is empty")
			return nil, true
		case e.Redacted:
			m.notice("copy: the payload carries credentials and was not kept")
			return nil, true
		case e.Payload == nil:
			m.notice("copy: the payload was dropped (memory budget)")
			return nil, true
		}
		what := fmt.Sprintf("copied the last payload of %s (%d bytes", decode.Truncate(decode.Safe(n.Path()), 50), len(e.Payload))
		if e.Cut {
			what += fmt.Sprintf(", cut from %d", e.Size)
		}
		m.notice(what + ", OSC 52)")
		return tea.SetClipboard(string(e.Payload)), true
	case key.Matches(k, km.ClearRetained), hasKey(km.ClearRetained, k.String()):
		return m.startClear(n), true
	case key.Matches(k, km.Plot):
		if n == nil || n.Topic() == nil {
			m.notice("plot: select a topic that received messages itself")
			return nil, true
		}
		var suggest []string
		if e, ok := n.Topic().LastEntry(); ok {
			suggest = topics.NumericPaths(e.Payload)
		}
		pk := views.NewPlotPicker(m.styles, n.Path(), suggest)
		m.OpenModal(pk)
		return pk.Focus(), true
	}
	return nil, false
}

// plotMsg handles the picker's answer; ok is false for any other message.
func (m *Model) plotMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case views.PlotCancelMsg:
		if _, open := m.modal.(*views.PlotPicker); open {
			m.CloseModal()
		}
		return nil, true
	case views.PlotPickMsg:
		if _, open := m.modal.(*views.PlotPicker); !open {
			return nil, true
		}
		m.CloseModal()
		if m.store.Topics().Topic(msg.Topic) == nil {
			m.notice("plot: the topic is no longer in the tree")
			return nil, true
		}
		// Tracking is a write to the tree: a shared console does it once
		// its read lock is released, before the next frame.
		m.write(func(s *fleet.Store) { s.Topics().Track(msg.Topic, msg.Path) })
		m.topics.pane.SetPlot(msg.Topic, msg.Path)
		m.detailP.SetSubject(m.topics.pane.Selection())
		m.setFocus(PaneDetail)
		m.notice("plotting " + decode.Truncate(decode.Safe(msg.Path), 40) + " of " + decode.Truncate(decode.Safe(msg.Topic), 50))
		return nil, true
	}
	return nil, false
}
