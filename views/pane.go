package views

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
)

// Pane is what the root needs of every pane: it routes messages to it,
// sizes, focuses and restyles it, and builds the help from its keys. Only
// the root is a tea.Model.
type Pane interface {
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	Focus()
	Blur()
	SetStyles(themes.Styles)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Appender is a pane that can append its view to a buffer the caller
// reuses, sparing a string per pane per frame.
type Appender interface {
	AppendView(dst []byte) []byte
}

// Capturer is a pane with a filter input that takes every key while open.
type Capturer interface {
	Capturing() bool
	InputView(w int) string
	ClearFilter() bool
}

// Clicker is a pane whose rows can be selected with the mouse. x and y
// are the click's cell inside the pane (0, 0 is its top-left corner): the
// pane knows its own frame and header.
type Clicker interface{ Click(x, y int) }

// Pauser is a list that holds still while the view is paused.
type Pauser interface{ SetPaused(bool) }

// Modal is a form or confirmation drawn over the panes; while open it
// takes every key first.
type Modal interface {
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	SetStyles(themes.Styles)
	ShortHelp() []key.Binding
}

// The panes fit the contracts the root relies on.
var (
	_ Pane = (*FleetPane)(nil)
	_ Pane = (*EventsPane)(nil)
	_ Pane = (*TelemetryPane)(nil)
	_ Pane = (*ErrorsPane)(nil)
	_ Pane = (*LogPane)(nil)
	_ Pane = (*DetailPane)(nil)
	_ Pane = (*ActionsPane)(nil)
	_ Pane = (*Help)(nil)
	_ Pane = (*TopicsPane)(nil)

	_ Capturer = (*FleetPane)(nil)
	_ Capturer = (*EventsPane)(nil)
	_ Capturer = (*TelemetryPane)(nil)
	_ Capturer = (*LogPane)(nil)
	_ Capturer = (*TopicsPane)(nil)

	_ Clicker = (*FleetPane)(nil)
	_ Clicker = (*EventsPane)(nil)
	_ Clicker = (*TelemetryPane)(nil)
	_ Clicker = (*ErrorsPane)(nil)
	_ Clicker = (*LogPane)(nil)
	_ Clicker = (*ActionsPane)(nil)
	_ Clicker = (*TopicsPane)(nil)

	_ Pauser = (*EventsPane)(nil)
	_ Pauser = (*ErrorsPane)(nil)
	_ Pauser = (*LogPane)(nil)
	_ Pauser = (*TopicsPane)(nil)

	_ Selector = (*FleetPane)(nil)
	_ Selector = (*EventsPane)(nil)
	_ Selector = (*TelemetryPane)(nil)
	_ Selector = (*ErrorsPane)(nil)
	_ Selector = (*LogPane)(nil)
	_ Selector = (*TopicsPane)(nil)

	_ listDrawer = (*FleetPane)(nil)
	_ listDrawer = (*EventsPane)(nil)
	_ listDrawer = (*TelemetryPane)(nil)
	_ listDrawer = (*ErrorsPane)(nil)
	_ listDrawer = (*LogPane)(nil)
	_ listRows   = (*ActionsPane)(nil)
	_ listKeyer  = (*ActionsPane)(nil)

	_ Appender = (*FleetPane)(nil)
	_ Appender = (*EventsPane)(nil)
	_ Appender = (*TelemetryPane)(nil)
	_ Appender = (*ErrorsPane)(nil)
	_ Appender = (*LogPane)(nil)
	_ Appender = (*DetailPane)(nil)
	_ Appender = (*TopicsPane)(nil)

	_ Modal = (*ActionForm)(nil)
	_ Modal = (*Confirm)(nil)
)
