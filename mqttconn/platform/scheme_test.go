package platform

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
)

func filterList(s Scheme) []string {
	var out []string
	for _, f := range s.Filters() {
		out = append(out, f.Filter)
	}
	return out
}

func TestFilters(t *testing.T) {
	cases := []struct {
		name string
		p    Params
		want []string
	}{
		{DRIVR, Params{Slug: "company-example"}, []string{
			"drivr/v1/company-example", "drivr/v1/company-example/state",
			"drivr/v1/company-example/systems/#", "drivr/v1/company-example/eventModels/#",
			"drivr/v1/company-example/componentModels/#", "drivr/v1/company-example/input/#"}},
		{Drogue, Params{Apps: []string{"my-app", "other", "my-app"}}, []string{"app/my-app", "app/other"}},
		{DevAPI, Params{}, []string{"v1/device/+/#"}},
		{"xyte", Params{Device: "dev-1"}, []string{"v1/device/dev-1/#"}},
		{SmartWorks, Params{Account: "MyAccount001"}, []string{"status/MyAccount001/#", "set/MyAccount001/#"}},
		{Generic, Params{}, []string{"#"}},
		{"", Params{Filters: []string{"a/+/b", "c/#"}}, []string{"a/+/b", "c/#"}},
	}
	for _, c := range cases {
		s := mustNew(t, c.name, c.p)
		if got := filterList(s); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s filters = %q, want %q", c.name, got, c.want)
		}
		for _, f := range s.Filters() {
			if strings.Contains(strings.ToLower(f.Filter), "$share") || strings.Contains(f.Filter, "localApiTokens") ||
				strings.Contains(f.Filter, "authorization") {
				t.Errorf("%s: forbidden filter %q", c.name, f.Filter)
			}
			if err := CheckFilter(f.Filter); err != nil {
				t.Errorf("%s: filter %q: %v", c.name, f.Filter, err)
			}
		}
	}
}

func TestFiltersQoSAndIsolation(t *testing.T) {
	s := mustNew(t, DRIVR, Params{Slug: "x", QoS: 1})
	for _, f := range s.Filters() {
		if f.QoS != 1 {
			t.Errorf("filter %q QoS %d, want 1", f.Filter, f.QoS)
		}
	}
	fs := s.Filters()
	fs[0].Filter = "#"
	if s.Filters()[0].Filter != "drivr/v1/x" {
		t.Error("changing the returned slice changed the scheme")
	}
	d := mustNew(t, Drogue, Params{Apps: []string{"a"}, CEMode: "binary"})
	df := d.Filters()
	df[0].User[0].Value = "structured"
	if d.Filters()[0].User[0].Value != "binary" {
		t.Error("changing the returned user properties changed the scheme")
	}
}

func TestDrogueContentMode(t *testing.T) {
	for _, mode := range []string{"binary", "structured", "BINARY"} {
		s := mustNew(t, Drogue, Params{Apps: []string{"a", "b"}, CEMode: mode, QoS: 1})
		for _, f := range s.Filters() {
			want := []mqttconn.UserProperty{{Key: "content-mode", Value: strings.ToLower(mode)}}
			if !reflect.DeepEqual(f.User, want) || f.QoS != 1 {
				t.Errorf("mode %q: %q user %v QoS %d", mode, f.Filter, f.User, f.QoS)
			}
		}
	}
	s := mustNew(t, Drogue, Params{Apps: []string{"a"}})
	if u := s.Filters()[0].User; u != nil {
		t.Errorf("no mode asked, user properties %v sent", u)
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		name    string
		p       Params
		is      error
		mention string
	}{
		{DRIVR, Params{}, ErrMissingParam, "--slug"},
		{DRIVR, Params{Slug: "a/b"}, ErrInvalidParam, "slug"},
		{DRIVR, Params{Slug: "#"}, ErrInvalidParam, "slug"},
		{Drogue, Params{}, ErrMissingParam, "--app"},
		{Drogue, Params{Apps: []string{"ok", "+"}}, ErrInvalidParam, "application"},
		{Drogue, Params{Apps: []string{""}}, ErrMissingParam, "application"},
		{Drogue, Params{Apps: []string{"a"}, CEMode: "json"}, ErrInvalidParam, "content mode"},
		{SmartWorks, Params{}, ErrMissingParam, "--account"},
		{SmartWorks, Params{Account: "a/b"}, ErrInvalidParam, "account"},
		{DevAPI, Params{Device: "a/#"}, ErrInvalidParam, "device"},
		{Generic, Params{Filters: []string{"$share/g/app/x"}}, ErrInvalidParam, "shared"},
		{Generic, Params{Filters: []string{"$SHARED/g/#"}}, ErrInvalidParam, "shared"},
		{Generic, Params{Filters: []string{"a/#/b"}}, ErrInvalidParam, "last level"},
		{Generic, Params{Filters: []string{"a/b+"}}, ErrInvalidParam, "whole level"},
		{Generic, Params{Filters: []string{""}}, ErrInvalidParam, "empty"},
		{Generic, Params{QoS: 3}, ErrInvalidParam, "QoS"},
		{"mqtt", Params{}, ErrUnknownPlatform, "drivr"},
	}
	for _, c := range cases {
		s, err := New(c.name, c.p)
		if err == nil || s != nil {
			t.Errorf("New(%q, %+v) = %v, %v; want an error", c.name, c.p, s, err)
			continue
		}
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("New(%q, %+v) error %q; want %v mentioning %q", c.name, c.p, err, c.is, c.mention)
		}
	}
}

func TestNamesAllBuild(t *testing.T) {
	for _, n := range Names() {
		s := mustNew(t, n, Params{Slug: "s", Apps: []string{"a"}, Account: "a"})
		if s.Name() != n {
			t.Errorf("New(%q).Name() = %q", n, s.Name())
		}
	}
}

func TestRefineDrogueStructured(t *testing.T) {
	s := mustNew(t, Drogue, Params{Apps: []string{"my-app"}})
	r := s.Route("app/my-app", nil)
	ev := &decode.CloudEvent{Mode: "structured", Type: "io.drogue.event.v1", Subject: "temperature",
		Extensions: []decode.Attribute{{Name: "application", Value: "my-app"},
			{Name: "device", Value: "sensor-7"}, {Name: "sender", Value: "gateway-1"}}}
	got := Refine(r, &decode.Value{Format: decode.FormatCloudEvents, Event: ev})
	want := Route{Platform: Drogue, Kind: KindDeviceEvent, Fleet: "my-app", App: "my-app",
		System: "sensor-7", Device: "sensor-7", Sender: "gateway-1", Channel: "temperature"}
	if got != want {
		t.Errorf("Refine\n got %+v\nwant %+v", got, want)
	}
	conn := RefineDrogue(r, &decode.CloudEvent{Type: "io.drogue.connection.v1", Subject: "connection",
		Extensions: []decode.Attribute{{Name: "ce-device", Value: "d1"}}})
	if conn.Kind != KindConnectionEvent || conn.Device != "d1" || conn.Channel != "" {
		t.Errorf("connection event refined to %+v", conn)
	}
	// Nothing to refine: a command route, a nil event, another platform.
	cmd := s.Route("command/my-app/d/c", nil)
	if RefineDrogue(cmd, ev) != cmd {
		t.Error("a command route was changed by a CloudEvent")
	}
	if Refine(r, &decode.Value{}) != r || Refine(r, nil) != r || RefineDrogue(r, nil) != r {
		t.Error("a missing event changed the route")
	}
	g := Route{Platform: Generic, Kind: KindRaw}
	if RefineDrogue(g, ev) != g {
		t.Error("a generic route was refined")
	}
}

func TestMatches(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"#", "a/b", true}, {"#", "$SYS/x", false}, {"+/x", "$SYS/x", false}, {"$SYS/#", "$SYS/x", true},
		{"a/#", "a", true}, {"a/#", "a/b/c", true}, {"a/b/#", "a", false}, {"+/#", "a", true},
		{"a/+", "a/b", true}, {"a/+", "a/b/c", false}, {"a/+", "a/", true}, {"a/+/c", "a//c", true},
		{"a/b", "a/b", true}, {"a/b", "a/b/", false}, {"a", "a/b", false}, {"a/b", "a", false},
		{"+", "a", true}, {"a/b", "a/c", false}, {"/#", "/x", true}, {"#", "/", true},
		{"drivr/v1/+/authorization/#", "drivr/v1/s/authorization/localApiTokens/u", true},
	}
	for _, c := range cases {
		if got := Matches(c.filter, c.topic); got != c.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}

// --topic (Params.Filters) replaces a platform's filters: DRIVR per-uuid
// filters when the certificate refuses wildcards, SmartWorks' pattern_sub.
// The token topic and $share stay out whatever the user asks.
func TestFilterOverride(t *testing.T) {
	ok := []struct {
		name string
		p    Params
	}{
		{DRIVR, Params{Slug: "s", Filters: []string{"drivr/v1/s/systems/u1/#", "drivr/v1/s/input/+/s/u1/json/error",
			"drivr/v1/+/systems/#", "drivr/v1/+/+", "drivr/v1/s/authorization/other/#"}}},
		{SmartWorks, Params{Account: "acct", Filters: []string{"status/acct/things/t1/properties/#"}}},
		{DevAPI, Params{Device: "d", Filters: []string{"v1/device/d/commands/update"}}},
		{Drogue, Params{Apps: []string{"a"}, CEMode: "binary", Filters: []string{"app/b"}}},
	}
	for _, c := range ok {
		c.p.QoS = 1
		s := mustNew(t, c.name, c.p)
		if got := filterList(s); !reflect.DeepEqual(got, c.p.Filters) {
			t.Errorf("%s: filters %q, want %q", c.name, got, c.p.Filters)
		}
		for _, f := range s.Filters() {
			if f.QoS != 1 {
				t.Errorf("%s: %q QoS %d", c.name, f.Filter, f.QoS)
			}
		}
	}
	if u := mustNew(t, ok[3].name, ok[3].p).Filters()[0].User; len(u) != 1 || u[0].Value != "binary" {
		t.Errorf("drogue override lost the content mode: %v", u)
	}
	for _, bad := range []Params{
		{Slug: "s", Filters: []string{"#"}},
		{Slug: "s", Filters: []string{"drivr/v1/s/#"}},
		{Slug: "s", Filters: []string{"drivr/v1/+/authorization/+/+"}},
		{Slug: "s", Filters: []string{"drivr/v1/other/authorization/localApiTokens/u"}},
		{Slug: "s", Filters: []string{"$share/g/drivr/v1/s/systems/#"}},
		{Slug: "s", Filters: []string{"drivr/v1/s/systems/#", "drivr/#"}},
	} {
		if _, err := New(DRIVR, bad); !errors.Is(err, ErrInvalidParam) {
			t.Errorf("DRIVR filters %q: %v", bad.Filters, err)
		}
	}
	if _, err := New(SmartWorks, Params{Account: "a", Filters: []string{"$share/g/status/a/#"}}); !errors.Is(err, ErrInvalidParam) {
		t.Errorf("smartworks $share: %v", err)
	}
}
