package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// VersionCmd prints what was built and from which revision.
type VersionCmd struct{}

// Run prints one line: mqdeck <version> (<revision>[, modified]) <go> <os/arch>.
func (VersionCmd) Run(env *runEnv) error {
	info, _ := debug.ReadBuildInfo()
	_, err := fmt.Fprintln(env.stdout, versionLine(info))
	return err
}

// versionLine is separate from Run so tests can feed it build info.
func versionLine(info *debug.BuildInfo) string {
	version, revision, modified := "devel", "", false
	goVersion := runtime.Version()
	if info != nil {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			version = v
		}
		if info.GoVersion != "" {
			goVersion = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	line := "mqdeck " + version
	if revision != "" {
		if len(revision) > 12 {
			revision = revision[:12]
		}
		if modified {
			revision += ", modified"
		}
		line += " (" + revision + ")"
	}
	return line + " " + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH
}
