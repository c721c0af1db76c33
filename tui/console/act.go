package console

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
	"github.com/mqdeck/mqdeck/views"
)

// Actions configures the operator actions: what the console may publish,
// where the audit goes, the templates and DRIVR's GraphQL acknowledgement.
type Actions struct {
	// Publisher is the live client (an mqttconn.Client). nil: actions are
	// off, as in a replay, and the Actions pane says why (Off).
	Publisher Publisher
	// Platform the actions are built for; "" takes Conn.Platform.
	Platform string
	Params   platform.Params
	// ReadOnly turns every action key off (Conn.ReadOnly does too); the
	// transport refuses to publish anyway.
	ReadOnly bool
	// AccessKey names the variable or file holding the device API access
	// key; it is read when a snapshot request is built and never shown.
	AccessKey actions.Secret
	// Operator is the name the audit records ("": $USER).
	Operator string
	// AuditPath: Run opens it for appending (mode 0600) and closes it.
	AuditPath string
	// Audit is an audit already open (tests); it wins over AuditPath.
	Audit *actions.Audit
	// Templates bound to keys, from the config file.
	Templates actions.Templates
	// Ack calls DRIVR's ackEvent mutation; without endpoint and token, `a`
	// explains how to configure it. Run adds the token to Redact.
	Ack actions.AckClient
	// Timeout bounds the wait for the broker's acknowledgement (10 s).
	Timeout time.Duration
	// Off says why actions are off without a Publisher ("replay"), or
	// why they are read-only (mqdeck serve: the viewer role).
	Off string
	// By names who acts in this console (mqdeck serve: SSH user and key
	// fingerprint); it goes on every action's row.
	By string
}

// actionState is the root's part of the actions: builder, tracker, audit,
// and the form or confirmation in progress.
type actionState struct {
	cfg     Actions
	plat    string
	on      bool
	off     string // why not, for notices and the empty pane
	b       *actions.Builder
	tr      *actions.Tracker
	audit   *actions.Audit
	form    *views.ActionForm // the form of the action in progress (e returns to it)
	confirm *views.Confirm    // the open confirmation
	pending actions.Action    // the action it confirms
	info    *views.Info
	// auditBroken: a failed audit write was reported once already.
	auditBroken bool
}

func newActionState(c Actions, conn views.ConnInfo, now func() time.Time) actionState {
	plat := c.Platform
	if plat == "" {
		plat = conn.Platform
	}
	ro := c.ReadOnly || conn.ReadOnly
	s := actionState{cfg: c, plat: plat, tr: actions.NewTracker(0), audit: c.Audit}
	s.b = &actions.Builder{Platform: plat, Unit: platforms.Actions(plat), Params: c.Params, ReadOnly: ro, AccessKey: c.AccessKey, Now: now}
	switch {
	case c.Publisher == nil:
		s.off = c.Off
		if s.off == "" {
			s.off = "no broker to publish to"
		}
	case ro:
		s.off = "read-only, nothing is published"
		if c.Off != "" {
			s.off = c.Off
		}
	default:
		s.on = true
	}
	if s.cfg.Timeout <= 0 {
		s.cfg.Timeout = 10 * time.Second
	}
	return s
}

// actionKey pairs a kind with its binding, in the order of the keys.
type actionKey struct {
	kind actions.Kind
	b    *key.Binding
}

func (m *Model) actionKeys() []actionKey {
	k := &m.keys
	return []actionKey{
		{actions.KindTriggerEvent, &k.Trigger},
		{actions.KindSendCommand, &k.Command},
		{actions.KindSetSetpoint, &k.SetValue},
		{actions.KindRequestSnapshot, &k.Snapshot},
		{actions.KindPublish, &k.Publish},
	}
}

// actionHint is what the empty Actions pane offers: the action keys this
// platform enables, in their current keys (DRIVR offered c and r, which it
// refuses).
func (m *Model) actionHint() string {
	var parts []string
	for _, ak := range m.actionKeys() {
		if ak.b.Enabled() {
			parts = append(parts, ak.b.Help().Key+" "+ak.b.Help().Desc)
		}
	}
	return strings.Join(parts, " · ")
}

// enableActionKeys turns on the keys of the actions the platform supports,
// when actions are on; ack is DRIVR's. Templates get one binding each. A
// disabled binding leaves the help.
func (m *Model) enableActionKeys() {
	a := &m.act
	for _, ak := range m.actionKeys() {
		_, err := a.b.NewForm(ak.kind, actions.Selection{})
		ak.b.SetEnabled(a.on && !actions.IsUnsupported(err))
	}
	m.keys.Pane.Ack.SetEnabled(a.on && a.b.Acks())
	m.keys.Templates = nil
	for _, t := range a.cfg.Templates.Bound(a.plat) {
		k := strings.ToLower(t.Key)
		b := key.NewBinding(key.WithKeys(k), key.WithHelp(k, t.Label()))
		b.SetEnabled(a.on)
		m.keys.Templates = append(m.keys.Templates, b)
	}
}

// Tracker is the actions' tracker (tests, and whoever wants the entries).
func (m *Model) Tracker() *actions.Tracker { return m.act.tr }

// hasKey reports whether k is one of b's keys, enabled or not.
func hasKey(b key.Binding, k string) bool {
	for _, x := range b.Keys() {
		if x == k {
			return true
		}
	}
	return false
}

// actionKey handles a key that starts an action. ok is false when k is not
// an action key. A key of an action that is off says why instead.
func (m *Model) actionKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	ks := k.String()
	for _, ak := range m.actionKeys() {
		if key.Matches(k, *ak.b) {
			return m.openForm(ak.kind), true
		}
		if !ak.b.Enabled() && hasKey(*ak.b, ks) {
			m.explainOff(ak.kind)
			return nil, true
		}
	}
	tpls := m.act.cfg.Templates.Bound(m.act.plat)
	for i, b := range m.keys.Templates {
		if i < len(tpls) && key.Matches(k, b) {
			return m.runTemplate(tpls[i]), true
		}
		if !b.Enabled() && hasKey(b, ks) {
			m.notice("template " + ks + ": actions are off: " + m.act.off)
			return nil, true
		}
	}
	ack := m.keys.Pane.Ack
	if key.Matches(k, ack) {
		return m.ackSelected(), true
	}
	if !ack.Enabled() && hasKey(ack, ks) {
		if m.act.on {
			m.notice("acknowledging is DRIVR's (GraphQL ackEvent); " + m.act.plat + " has none")
		} else {
			m.notice("acknowledge: actions are off: " + m.act.off)
		}
		return nil, true
	}
	return nil, false
}

// explainOff says why an action key does nothing.
func (m *Model) explainOff(kind actions.Kind) {
	if !m.act.on {
		m.notice(m.act.b.Title(kind) + ": actions are off: " + m.act.off)
		return
	}
	if why := m.act.b.UnsupportedWhy(kind); why != "" {
		m.notice(m.act.b.Title(kind) + ": " + why)
		return
	}
	if _, err := m.act.b.NewForm(kind, actions.Selection{}); err != nil {
		m.notice(err.Error())
	}
}

// actionSelection is what the form is prefilled from: the focused list's
// entity (an event's system or component), else the fleet's selection.
func (m *Model) actionSelection() actions.Selection {
	sub := m.Selection()
	ref := sub.Ref
	if sub.Kind == views.SubjectEvent {
		if ev := m.store.Event(ref.Platform, ref.Fleet, sub.EventID); ev != nil {
			ref = ev.Ref
		}
	}
	if ref.System == "" {
		ref = m.fleetP.Selection().Ref
	}
	if ref.Platform != "" && ref.Platform != m.act.plat {
		ref = fleet.Ref{} // another platform's entity: the operator fills the target
	}
	return m.act.b.SelectionFor(m.store, ref)
}

// openForm opens the prefilled form of an action kind.
func (m *Model) openForm(kind actions.Kind) tea.Cmd {
	f, err := m.act.b.NewForm(kind, m.actionSelection())
	if err != nil {
		m.notice(err.Error())
		return nil
	}
	return m.showForm(views.NewActionForm(m.styles, f))
}

func (m *Model) showForm(af *views.ActionForm) tea.Cmd {
	m.act.form, m.act.confirm = af, nil
	m.OpenModal(af)
	return af.Focus()
}

// runTemplate resolves a template for the selection and asks for
// confirmation; when it does not build (no system selected, say) its form
// opens with the error so the operator can complete it.
func (m *Model) runTemplate(t actions.Template) tea.Cmd {
	a, f, err := m.act.b.Resolve(t, m.actionSelection())
	if err != nil {
		if len(f.Fields) == 0 {
			m.notice(err.Error())
			return nil
		}
		af := views.NewActionForm(m.styles, f)
		af.SetError(err)
		return m.showForm(af)
	}
	m.act.form = views.NewActionForm(m.styles, f)
	m.showConfirm(a)
	return nil
}

func (m *Model) showConfirm(a actions.Action) {
	c := views.NewConfirm(m.styles, confirmModel(a), m.now())
	m.act.confirm, m.act.pending = c, a
	m.OpenModal(c)
}

// Confirming is the action the open confirmation would send (zero when
// none is open).
func (m *Model) Confirming() actions.Action {
	if m.act.confirm == nil {
		return actions.Action{}
	}
	return m.act.pending
}

// closeAction closes the form or confirmation and forgets it.
func (m *Model) closeAction() {
	m.act.form, m.act.confirm, m.act.pending = nil, nil, actions.Action{}
	m.CloseModal()
}

// actionMsg handles the messages of the action flow; ok is false for any
// other message. Messages from a form or confirmation that is no longer
// open are dropped: a second y must never send twice.
func (m *Model) actionMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case views.FormSubmitMsg:
		if m.act.form == nil || m.modal != views.Modal(m.act.form) {
			return nil, true
		}
		a, err := m.act.b.Build(msg.Form)
		if err != nil {
			m.act.form.SetError(err)
			return nil, true
		}
		m.showConfirm(a)
		return nil, true
	case views.FormCancelMsg:
		if m.act.form != nil && m.modal == views.Modal(m.act.form) {
			m.closeAction()
			m.notice("cancelled, nothing sent")
		}
		return nil, true
	case views.ConfirmEditMsg:
		if m.act.confirm == nil || m.modal != views.Modal(m.act.confirm) {
			return nil, true
		}
		if m.act.form == nil {
			m.act.confirm.Focus() // nothing to edit: the confirmation stays
			return nil, true
		}
		return m.showForm(m.act.form), true
	case views.ConfirmCancelMsg:
		if m.act.confirm != nil && m.modal == views.Modal(m.act.confirm) {
			m.closeAction()
			m.notice("cancelled, nothing sent")
		}
		return nil, true
	case views.ConfirmSendMsg:
		if m.act.confirm == nil || m.modal != views.Modal(m.act.confirm) || m.act.pending.ID != msg.ID {
			return nil, true
		}
		a := m.act.pending
		m.closeAction()
		return m.send(a), true
	case PublishedMsg:
		return m.published(msg), true
	case answerWindowMsg:
		m.expire()
		return nil, true
	case AckedMsg:
		m.acked(msg.Result)
		return nil, true
	case views.InfoCloseMsg:
		if m.act.info != nil && m.modal == views.Modal(m.act.info) {
			m.act.info = nil
			m.CloseModal()
		}
		return nil, true
	}
	return nil, false
}
