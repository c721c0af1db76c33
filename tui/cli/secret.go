package cli

import (
	"errors"
	"os"

	"github.com/mqdeck/mqdeck/mqttconn/creds"
)

// defaultPasswordEnv is used when no password source is named but it is set.
const defaultPasswordEnv = "MQDECK_PASSWORD"

// provider builds the credential source the flags name. It is read before
// every connection attempt (a rotated password or token is used without a
// restart); variables and files are also read once here so a wrong name or
// path is a usage error before connecting. Errors name the variable, file
// or command, never a value.
func (c *ConnFlags) provider(warn func(string)) (*creds.Provider, error) {
	p := &creds.Provider{Username: c.Username}
	if c.PasswordEnv != "" && c.PasswordFile != "" {
		return nil, usageError{errors.New("give --password-env or --password-file, not both")}
	}
	switch {
	case c.PasswordEnv != "":
		if !isEnvName(c.PasswordEnv) {
			return nil, usageError{errors.New("--password-env takes the NAME of an environment variable, and this is not one")}
		}
		p.Password = creds.Env("--password-env", c.PasswordEnv)
	case c.PasswordFile != "":
		p.Password = creds.File("--password-file", c.PasswordFile, warn)
	case os.Getenv(defaultPasswordEnv) != "":
		p.Password = creds.Env("--password-env", defaultPasswordEnv)
	}
	tokens := 0
	for _, set := range []bool{c.TokenEnv != "", c.TokenFile != "", c.TokenCommand != ""} {
		if set {
			tokens++
		}
	}
	switch {
	case tokens > 1:
		return nil, usageError{errors.New("give one of --token-env, --token-file and --token-command")}
	case tokens == 1 && c.Username != "":
		return nil, usageError{errors.New("the token is sent as the user name; drop --username")}
	case c.TokenEnv != "":
		if !isEnvName(c.TokenEnv) {
			return nil, usageError{errors.New("--token-env takes the NAME of an environment variable, and this is not one")}
		}
		p.Token = creds.Env("--token-env", c.TokenEnv)
	case c.TokenFile != "":
		p.Token = creds.File("--token-file", c.TokenFile, warn)
	case c.TokenCommand != "":
		if c.TokenTimeout < 0 {
			return nil, usageError{errors.New("--token-command-timeout must not be negative")}
		}
		src, err := creds.Command("--token-command", c.TokenCommand, c.TokenTimeout)
		if err != nil {
			return nil, usageError{err}
		}
		p.Token = src
	}
	if err := p.Check(); err != nil {
		return nil, usageError{err}
	}
	return p, nil
}
