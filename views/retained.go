package views

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// ClearYesMsg: the operator confirmed the retained cleanup with this id.
type ClearYesMsg struct{ ID int }

// ClearNoMsg: the cleanup was cancelled; nothing is sent.
type ClearNoMsg struct{ ID int }

// ClearedMsg: the cleanup with this id has run.
type ClearedMsg struct {
	ID     int
	Result actions.ClearResult
	Audit  error
}

// ClearConfirm is the dry run of a retained cleanup: how many retained
// topics are below the node and the first of them, then y clears exactly
// those, esc cancels.
type ClearConfirm struct {
	*Info
	id      int
	yes, no key.Binding
	decided bool
}

// ClearPreview is how many topics the confirmation names one by one.
const ClearPreview = 200

// NewClearConfirm builds the confirmation of clearing names (the whole
// list, total long) below filter.
func NewClearConfirm(st themes.Styles, id int, filter string, names []string, total int) *ClearConfirm {
	text := []string{
		fmt.Sprintf("%d retained topic(s) under %s will be cleared: an empty retained message (QoS 1) is published to each.", total, filter),
		"A cleared retained message cannot be restored. This is the dry run: nothing has been sent yet.",
		"",
	}
	for i, n := range names {
		if i == ClearPreview {
			text = append(text, fmt.Sprintf("  … and %d more", total-ClearPreview))
			break
		}
		text = append(text, "  "+n)
	}
	text = append(text, "", "y clears these topics, esc cancels.")
	return &ClearConfirm{
		Info: NewInfo(st, "Clear retained messages", text),
		id:   id,
		yes:  key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "clear them")),
		no:   key.NewBinding(key.WithKeys("esc", "n", "q"), key.WithHelp("esc", "cancel")),
	}
}

// ShortHelp is the footer while the box is open.
func (c *ClearConfirm) ShortHelp() []key.Binding { return []key.Binding{c.yes, c.no, c.scroll[1]} }

// Update: y confirms and esc cancels, once; arrows scroll.
func (c *ClearConfirm) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || c.decided {
		return nil
	}
	id := c.id
	switch {
	case key.Matches(k, c.yes):
		c.decided = true
		return func() tea.Msg { return ClearYesMsg{id} }
	case key.Matches(k, c.no), key.Matches(k, c.close):
		c.decided = true
		return func() tea.Msg { return ClearNoMsg{id} }
	}
	return c.Info.Update(msg)
}

// View draws the box.
func (c *ClearConfirm) View() string {
	if c.w < 4 || c.h < 3 {
		return ""
	}
	ls := c.lines()
	if c.offset < len(ls) {
		ls = ls[c.offset:]
	}
	return frame(c.st, true, c.w, c.h, c.title, "y clear · esc cancel", ls)
}
