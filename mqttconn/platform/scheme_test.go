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
