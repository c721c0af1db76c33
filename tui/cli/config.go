package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/alecthomas/kong"

	"github.com/mqdeck/mqdeck/mqttconn/creds"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// The configuration file is TOML:
//
//	profile = "lab"            # used when --profile is not given
//	[profiles.lab]
//	broker = "mqtts://broker.example:8883"
//	platform = "drivr"
//	slug = "company-example"
//	password_env = "LAB_MQTT_PASSWORD"   # the NAME of the variable
//	token_command = "drg whoami --token" # a command printing a fresh token
//
// A profile key is a flag name with '_' for '-'. Other top-level tables are
// left to the parts of mqdeck that own them.
type fileConfig struct {
	Profile  string                    `toml:"profile"`
	Profiles map[string]map[string]any `toml:"profiles"`
	// Keys rebinds console actions: quit = ["q", "ctrl+q"].
	Keys map[string][]string `toml:"keys"`
	// Templates are named payloads bound to keys ([[templates]], F1 =
	// setTemperature {"value": 21}), shown in the console's help.
	Templates actions.Templates `toml:"templates"`
}

// loadedConfig is what the configuration file gave, for the runners: the
// profile went into the flags; the rest is here. Empty without a file.
type loadedConfig struct {
	file      string
	profile   string
	keys      map[string][]string
	templates actions.Templates
}

// isProfileKey reports whether a profile may set key (a flag name with '_').
func isProfileKey(key string) bool {
	switch key {
	case "broker", "mqtt_version", "client_id", "username", "password_env", "password_file", "token_env",
		"token_file", "token_command", "token_command_timeout",
		"cacert", "cert", "key", "insecure", "keepalive", "connect_timeout", "session_expiry", "clean_start",
		"backoff_max", "qos", "buffer", "readonly", "will_topic", "will_payload",
		"platform", "slug", "app", "account", "device", "ce_mode", "topic",
		"operator", "audit", "access_key_env", "access_key_file",
		"graphql_endpoint", "graphql_token_env", "graphql_token_file":
		return true
	}
	return false
}

// isPathKey: these values are resolved relative to the configuration file.
func isPathKey(key string) bool {
	switch key {
	case "cacert", "cert", "key", "password_file", "token_file", "audit", "access_key_file", "graphql_token_file":
		return true
	}
	return false
}

// isSecretKey reports key names that can only hold a secret literal.
func isSecretKey(key string) bool {
	k := strings.ReplaceAll(strings.ToLower(key), "-", "_")
	switch k {
	case "password", "passwd", "pass", "secret", "token", "api_key", "apikey", "access_key", "accesskey",
		"client_secret", "bearer", "credential", "credentials", "private_key":
		return true
	}
	return false
}

// isEnvName reports whether s has the shape of an environment variable name.
func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// looksLikeJWT reports the shape of an OAuth2 access token (three base64url
// parts, the first a JSON object) written where a name belongs.
func looksLikeJWT(s string) bool {
	if !strings.HasPrefix(s, "eyJ") || strings.Count(s, ".") != 2 {
		return false
	}
	for _, r := range s {
		switch {
		case r == '.', r == '-', r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

// defaultConfigPath is <user config dir>/mqdeck/config.toml.
func defaultConfigPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "mqdeck", "config.toml")
}

// profile is the selected profile, ready for the resolver.
type profile struct {
	file   string
	name   string
	values map[string]any
}

// loadProfile reads the configuration file and selects a profile. explicit
// is true when the file was named by --config or MQDECK_CONFIG (then it
// must exist). It returns nil, nil when there is nothing to apply.
func loadProfile(file string, explicit bool, name string, warn func(string)) (*profile, *fileConfig, error) {
	if file == "" {
		if name != "" {
			return nil, nil, fmt.Errorf("profile %q: no configuration file (use --config)", name)
		}
		return nil, nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			if name != "" {
				return nil, nil, fmt.Errorf("profile %q: configuration file %s does not exist", name, file)
			}
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("configuration file: %w", err)
	}
	var cfg fileConfig
	if _, err := toml.Decode(string(data), &cfg); err != nil {
		return nil, nil, fmt.Errorf("configuration file %s: %s", file, tomlError(err))
	}
	if err := checkProfiles(file, &cfg, warn); err != nil {
		return nil, nil, err
	}
	if err := checkTemplates(file, cfg.Templates); err != nil {
		return nil, nil, err
	}
	if name == "" {
		name = cfg.Profile
	}
	if name == "" {
		return nil, &cfg, nil
	}
	values, ok := cfg.Profiles[name]
	if !ok {
		return nil, nil, fmt.Errorf("configuration file %s: no profile %q (have: %s)", file, name, strings.Join(profileNames(&cfg), ", "))
	}
	dir := filepath.Dir(file)
	resolved := make(map[string]any, len(values))
	for k, v := range values {
		if s, ok := v.(string); ok && isPathKey(k) {
			v = resolvePath(dir, s)
		}
		resolved[k] = v
	}
	return &profile{file: file, name: name, values: resolved}, &cfg, nil
}

// tomlError describes a TOML syntax error without quoting a value that
// might be a secret someone typed where it does not belong.
func tomlError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		last := pe.LastKey
		if i := strings.LastIndexByte(last, '.'); i >= 0 {
			last = last[i+1:]
		}
		if isSecretKey(last) {
			return fmt.Sprintf("line %d: invalid TOML near key %q", pe.Position.Line, pe.LastKey)
		}
		return fmt.Sprintf("line %d: %s", pe.Position.Line, pe.Message)
	}
	return err.Error()
}

// checkProfiles refuses secrets written into profiles and warns about
// unknown keys and about a file others can read that points at secrets.
func checkProfiles(file string, cfg *fileConfig, warn func(string)) error {
	namesSecretFile := false
	for _, pname := range profileNames(cfg) {
		values := cfg.Profiles[pname]
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := values[k]
			where := fmt.Sprintf("configuration file %s, profile %q", file, pname)
			switch {
			case isSecretKey(k):
				return fmt.Errorf("%s: key %q would hold a secret; put the secret in an environment variable or a file and name it with password_env, password_file, token_env or token_file (or token_command)", where, k)
			case k == "password_env" || k == "token_env" || k == "access_key_env" || k == "graphql_token_env":
				s, _ := v.(string)
				if !isEnvName(s) {
					return fmt.Errorf("%s: %s must be the NAME of an environment variable, and this value is not one (a secret written in place of the name?)", where, k)
				}
			case k == "password_file" || k == "token_file" || k == "key" || k == "access_key_file" || k == "graphql_token_file":
				namesSecretFile = true
			case k == "token_command":
				// The command that prints a token belongs here; the token does not.
				s, _ := v.(string)
				words, _ := creds.SplitArgs(s)
				for _, w := range words {
					if looksLikeJWT(w) {
						return fmt.Errorf("%s: token_command holds what looks like an access token; name a command that prints a fresh one", where)
					}
				}
			case k == "username":
				if s, _ := v.(string); looksLikeJWT(s) {
					warn(fmt.Sprintf("%s: username looks like an access token; use token_env to name a variable holding it", where))
				}
			case !isProfileKey(k):
				warn(fmt.Sprintf("%s: unknown key %q ignored", where, k))
			}
		}
	}
	if namesSecretFile {
		if st, err := os.Stat(file); err == nil && st.Mode().Perm()&0o077 != 0 {
			warn(fmt.Sprintf("configuration file %s is readable by others (mode %04o) and names secret files; chmod 600 it", file, st.Mode().Perm()))
		}
	}
	return nil
}

func profileNames(cfg *fileConfig) []string {
	names := make([]string, 0, len(cfg.Profiles))
	for n := range cfg.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// resolvePath expands ~/ and makes a relative path relative to dir.
func resolvePath(dir, p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// profileResolver gives kong the profile's values for flags that were set
// neither on the command line (kong skips those) nor by their environment
// variable: flags > env > profile > defaults.
type profileResolver struct{ p *profile }

func (r profileResolver) Validate(*kong.Application) error { return nil }

func (r profileResolver) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	if r.p == nil {
		return nil, nil
	}
	if envSet(flag) {
		return nil, nil
	}
	v, ok := r.p.values[strings.ReplaceAll(flag.Name, "-", "_")]
	if !ok {
		return nil, nil
	}
	return v, nil
}

// applyProfile runs before kong resolves flags: it loads the configuration
// named by --config (or the default file) and adds the selected profile as
// a resolver.
func applyProfile(kctx *kong.Context, w warner, out *loadedConfig) error {
	file, explicit, name := "", false, ""
	for _, f := range kctx.Flags() {
		switch f.Name {
		case "config":
			file, _ = kctx.FlagValue(f).(string)
			explicit = file != "" && (onCommandLine(kctx, f) || envSet(f))
		case "profile":
			name, _ = kctx.FlagValue(f).(string)
		}
	}
	if file == "" {
		file = defaultConfigPath()
	}
	p, cfg, err := loadProfile(file, explicit, name, w.warn)
	if err != nil {
		return usageError{err}
	}
	if cfg != nil {
		out.file, out.keys, out.templates = file, cfg.Keys, cfg.Templates
	}
	if p != nil {
		out.profile = p.name
	}
	kctx.AddResolver(profileResolver{p: p})
	return nil
}

// envSet reports whether one of the flag's variables is set: env beats the profile.
func envSet(flag *kong.Flag) bool {
	for _, env := range flag.Envs {
		if _, ok := os.LookupEnv(env); ok {
			return true
		}
	}
	return false
}

func onCommandLine(kctx *kong.Context, flag *kong.Flag) bool {
	for _, p := range kctx.Path {
		if p.Flag == flag {
			return true
		}
	}
	return false
}

// warner prints a warning line on stderr during parsing.
type warner struct{ w io.Writer }

func (w warner) warn(msg string) { fmt.Fprintf(w.w, "mqdeck: warning: %s\n", oneLine(msg)) }
