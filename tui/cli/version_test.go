package cli

import (
	"bytes"
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	suffix := " go1.99 " + runtime.GOOS + "/" + runtime.GOARCH
	cases := []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "mqdeck devel " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{&debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}}, "mqdeck devel" + suffix},
		{&debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v1.2.3"}}, "mqdeck v1.2.3" + suffix},
		{&debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}},
			"mqdeck devel (0123456789ab, modified)" + suffix},
		{&debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v0.0.0-2025-abc"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}},
			"mqdeck v0.0.0-2025-abc (abc)" + suffix},
	}
	for _, tc := range cases {
		if got := versionLine(tc.info); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "mqdeck ") || errOut.Len() != 0 {
		t.Errorf("code %d out %q err %q", code, out.String(), errOut.String())
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.2:1883": true, "[::1]:1883": true, "localhost:1883": true,
		"0.0.0.0:1883": false, ":1883": false, "10.0.0.1:1883": false, "example.com:1883": false, "nonsense": false,
	} {
		if err := loopbackOnly(addr); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
