// Package console is mqdeck's console: the root Bubble Tea model that lays out
// the panes of views, routes keys and data to them, and Run, which starts
// the program and the ingest batcher. The fleet state lives in tui/fleet,
// the understanding and batching of messages in mqttconn/ingest.
package console

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/ingest"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/views"
)

// Source is where the console's messages come from: a live client's
// Messages() or a replay. Run starts a pump on it.
type Source struct {
	Messages <-chan mqttconn.Message
	Scheme   platform.Scheme // nil: raw routing
	Dropped  func() uint64   // transport drop counter, optional
	Hooks    *ingest.Hooks   // give its OnState/OnSubscribe to mqttconn.Options
	Limits   decode.Limits   // zero: decode.DefaultLimits()
	// Tap sees every item once, in receive order, before it is batched
	// (--record); see ingest.BatchConfig.Tap. Once it fails it is called
	// no more, and the console says so (Errors pane, footer, status bar).
	Tap func([]ingest.Item) error
	// Recorded is how many messages Tap's recording holds (after a
	// failure, those the file holds whole): the console counts every
	// message past it as missing from the recording.
	Recorded func() uint64
}

// Config is everything the console needs.
type Config struct {
	Theme   string              // dark, light, high-contrast, mono; "" or auto follows the terminal
	NoColor bool                // NO_COLOR is set (Run also reads the environment)
	Keys    map[string][]string // rebinding from the config file: action name -> keys
	Fleet   fleet.Config        // store caps; zero value: fleet.DefaultConfig()
	Store   *fleet.Store        // draw this store instead of a new one (tests, benchmarks)
	Conn    views.ConnInfo      // for the status bar; Broker without credentials
	Source  Source
	NoMouse bool // leave the mouse to the terminal (text selection)

	// Now is the clock: time.Now when nil, a test's, or a replay's (the
	// recording's time at the playback position). It also drives the
	// store unless Fleet.Now is set.
	Now func() time.Time
	// SourceState, when set, says what the status bar shows instead of a
	// connection state, asked at every refresh: a replay's pass, or that
	// it ended. glyph "" keeps ▶.
	SourceState func() (glyph, words string)
	// ExitAfter quits once this many messages have been applied (hidden
	// flag for the performance comparison; 0: never).
	ExitAfter uint64
	// Redact lists secret values (password, token) that must never appear
	// in a crash report.
	Redact []string
	// RedactLive gives the secrets read so far by sources that are read
	// again at every connection attempt (a rotated password or token); it
	// is asked when a report is written. Nil when there are none.
	RedactLive func() []string
	// CrashDir is where a crash report is written; os.TempDir() when "".
	CrashDir string
	// Actions configures the operator actions; without a Publisher they
	// are off (replay).
	Actions Actions
	// RetryNow ends the client's reconnect wait at once (the R key); false
	// when it is not waiting. nil: no live client, the key is off.
	RetryNow func() bool
	// RetryRefused, when RetryNow is nil, is what the R key says instead of
	// nothing (mqdeck serve: a viewer may not reconnect the room's broker).
	RetryRefused string
	// Shared: Store is written by another goroutine and Source is unused
	// (mqdeck serve); nil: the console applies its own batches.
	Shared *Shared
}

// tickMsg refreshes ages, rates and staleness once a second.
type tickMsg time.Time

func tickCmd() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Model is the root of the console.
type Model struct {
	cfg    Config
	keys   KeyMap
	styles themes.Styles
	detect bool // auto theme: follow the terminal's background
	store  *fleet.Store
	now    func() time.Time

	w, h     int
	rects    Rects
	focus    Pane
	back     Pane // where esc returns from the detail
	zoomed   bool
	showHelp bool
	paused   bool
	pausedAt uint64 // messages applied when paused
	done     bool   // the input ended (replay finished)
	quitting bool
	keyErr   error // a bad rebinding from the config file, shown once
	noticeAt time.Time
	// noticeText is the footer's notice while noticeAt is recent.
	noticeText string

	dropped uint64
	errSeen uint64 // store.ErrorCount() when the Errors pane was last on screen
	// lastFill is the content the grid was laid out for: when it changes
	// (a pane gets its first row, say) the grid is laid out again.
	lastFill Fill
	fleetP   *views.FleetPane
	eventsP  *views.EventsPane
	telP     *views.TelemetryPane
	errP     *views.ErrorsPane
	logP     *views.LogPane
	detailP  *views.DetailPane
	actP     *views.ActionsPane
	topics   topicsState
	panes    [PaneCount]views.Pane
	modal    views.Modal
	act      actionState
	status   *views.StatusBar
	help     *views.Help

	// frozen pane views while paused: data does not move them, keys do
	cache [PaneCount][]byte // each pane's last view; the buffers are reused
	stale bool
	// the footer's and the tab strip's buffers and the screen's lines, reused
	footBuf, tabBuf []byte
	lines           []string

	// local is the writer of a console that has no writer goroutine (tests
	// and benchmarks feed it batches); nil when Shared.
	local    *Writer
	localSub *Sub
	// pendingWrites wait for the shared store's read lock to be released.
	pendingWrites []func(*fleet.Store)
	// flight: publishes whose answer has not been through Update yet.
	flight *inflight
}

// New builds the console. It does not start anything: Run does.
func New(cfg Config) *Model {
	m := &Model{cfg: cfg, keys: DefaultKeyMap(), now: cfg.Now, flight: newInflight()}
	if m.now == nil {
		m.now = time.Now
	}
	if err := m.keys.Rebind(cfg.Keys); err != nil {
		m.keyErr = err
	}
	m.keys.Retry.SetEnabled(cfg.RetryNow != nil || cfg.RetryRefused != "")
	name, detect := themes.Initial(cfg.Theme, cfg.NoColor)
	m.styles, m.detect = themes.New(name), detect

	m.store = cfg.Store
	if m.store == nil {
		m.store = fleet.New(storeConfig(cfg), platforms.Fleet())
	}
	if cfg.Shared != nil {
		m.store = m.store.Reader() // its caches are this console's own
	} else {
		m.local = NewWriter(m.store)
		m.localSub = m.local.Subscribe(0)
	}

	// Action keys are enabled before the panes copy the key map.
	m.act = newActionState(cfg.Actions, cfg.Conn, m.now)
	m.enableActionKeys()
	m.keys.Pane.ClearRetained.SetEnabled(m.act.on)

	st, k := m.styles, m.keys.Pane
	m.fleetP = views.NewFleetPane(st, k, m.store)
	m.eventsP = views.NewEventsPane(st, k, m.store)
	m.telP = views.NewTelemetryPane(st, k, m.store)
	m.errP = views.NewErrorsPane(st, k, m.store)
	m.logP = views.NewLogPane(st, k, m.store)
	m.detailP = views.NewDetailPane(st, k, m.store)
	m.actP = views.NewActionsPane(st, k, m.act.tr)
	m.actP.SetOff(m.act.off)
	m.actP.SetHint(m.actionHint())
	if m.act.plat == platform.Generic {
		m.fleetP.SetNoSystems("generic: no systems; see 8 Topics, 5 Log")
	}
	m.topics = newTopicsState(st, k, m.store)
	m.panes = [PaneCount]views.Pane{m.fleetP, m.eventsP, m.telP, m.errP, m.logP, m.detailP, m.actP, m.topics.pane}
	if cfg.Conn.Platform == "generic" {
		m.focus, m.topics.first, m.topics.generic = PaneTopics, true, true // any broker: the tree is what there is to see
	}
	m.status = views.NewStatusBar(st, cfg.Conn)
	m.help = views.NewHelp(st, k)
	m.panes[m.focus].Focus()
	if m.keyErr != nil {
		m.notice("key map: " + m.keyErr.Error())
	}
	return m
}

// storeConfig is the store cfg asks for: its caps, on cfg's clock.
func storeConfig(cfg Config) fleet.Config {
	fc := cfg.Fleet
	if fc.MaxSystems == 0 && fc.MaxLog == 0 {
		now := fc.Now
		fc = fleet.DefaultConfig()
		fc.Now = now
	}
	if fc.Now == nil || cfg.Now != nil && cfg.Fleet.Now == nil {
		fc.Now = cfg.Now
		if fc.Now == nil {
			fc.Now = time.Now
		}
	}
	return fc
}

// noticeFor is how long a notice stays in the status bar.
const noticeFor = 6 * time.Second

// notice shows a short message in the footer for a few seconds.
// It takes the footer's whole width for those seconds: explanations (why a
// key does nothing, what became of an action) do not fit between the
// status bar's counters.
func (m *Model) notice(s string) {
	m.noticeText = decode.Safe(s)
	m.noticeAt = m.now()
	m.stale = true
}

// OpenModal shows a form or confirmation over the panes; it gets every key
// until CloseModal.
func (m *Model) OpenModal(md views.Modal) {
	m.modal = md
	md.SetStyles(m.styles)
	m.resize()
}

// CloseModal removes the open form or confirmation, if any.
func (m *Model) CloseModal() {
	m.modal = nil
	m.stale = true
}

// Modal is the open form or confirmation, nil when none.
func (m *Model) Modal() views.Modal { return m.modal }

// Keys is the key map in use (the actions enable their bindings on it).
func (m *Model) Keys() *KeyMap { return &m.keys }

// Selection is what the focused list has selected (for the actions).
func (m *Model) Selection() views.Subject {
	if s, ok := m.panes[m.focus].(views.Selector); ok {
		return s.Selection()
	}
	return m.detailP.Subject()
}

// Store is the fleet state the console draws (for tests and the actions).
func (m *Model) Store() *fleet.Store { return m.store }

// Focused is the pane with the keyboard focus.
func (m *Model) Focused() Pane { return m.focus }

// Zoomed reports whether the focused pane fills the screen.
func (m *Model) Zoomed() bool { return m.zoomed }

// Paused reports whether the view is paused, and how many messages were
// applied since.
func (m *Model) Paused() (bool, uint64) {
	if !m.paused {
		return false, 0
	}
	return true, m.store.Totals().Messages - m.pausedAt
}

// HelpOpen reports whether the help screen is shown.
func (m *Model) HelpOpen() bool { return m.showHelp }

// ThemeName is the theme in use.
func (m *Model) ThemeName() string { return m.styles.Name() }

// Init starts the clock and asks for the terminal's background when the
// theme follows it.
func (m *Model) Init() tea.Cmd {
	if m.detect {
		return tea.Batch(tickCmd(), tea.RequestBackgroundColor)
	}
	return tickCmd()
}

// setTheme switches every pane to a theme.
func (m *Model) setTheme(name string) {
	m.styles = themes.New(name)
	for _, p := range m.panes {
		p.SetStyles(m.styles)
	}
	m.status.SetStyles(m.styles)
	m.help.SetStyles(m.styles)
	if m.modal != nil {
		m.modal.SetStyles(m.styles)
	}
	m.stale = true
}

// resize lays the screen out again and tells every pane its size.
func (m *Model) resize() {
	m.lastFill = m.fill()
	m.rects = LayoutFill(m.w, m.h, m.focus, m.zoomed, m.lastFill)
	m.placeTopics()
	for i, p := range m.panes {
		r := m.rects.Panes[i]
		p.SetSize(r.W, r.H)
	}
	m.status.SetSize(m.rects.Status.W)
	body := Rect{0, 1, m.w, max(m.h-2, 0)}
	m.help.SetSize(body.W, body.H)
	if m.modal != nil {
		m.modal.SetSize(body.W, body.H)
	}
	m.stale = true
	m.markSeen()
}

// setFocus moves the keyboard focus.
func (m *Model) setFocus(p Pane) {
	if p < 0 || p >= paneCount || p == m.focus {
		return
	}
	if p == PaneDetail && m.focus != PaneDetail {
		m.back = m.focus
	}
	m.panes[m.focus].Blur()
	m.focus = p
	m.topicsFocused(p)
	m.panes[p].Focus()
	m.resize() // compact mode shows the focused pane
	m.follow()
}

// follow passes the selections along: the fleet's system to telemetry and
// the events scope, the focused list's selection to the detail.
func (m *Model) follow() {
	sys := m.fleetP.SelectedSystem()
	m.telP.SetSystem(sys)
	m.eventsP.SetScope(sys)
	if m.focus == PaneDetail {
		return
	}
	if s, ok := m.panes[m.focus].(views.Selector); ok {
		m.detailP.SetSubject(s.Selection())
	}
}

// setPaused pauses or resumes the view.
func (m *Model) setPaused(v bool) {
	m.paused = v
	if v {
		m.pausedAt = m.store.Totals().Messages
	}
	for _, p := range m.panes {
		if pp, ok := p.(views.Pauser); ok {
			pp.SetPaused(v)
		}
	}
	m.stale = true
	if v {
		m.snapshot() // what the operator sees now is what stays
	}
}
