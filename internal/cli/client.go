package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"hostadm/internal/api"
	"hostadm/internal/daemon"
	"hostadm/internal/schema"
)

// reply is an API answer, decoded generically.
type reply struct {
	Data  any
	Total *int
}

// client makes API calls, in-process or over HTTPS.
type client interface {
	call(ctx context.Context, method, path string, params map[string]any) (*reply, error)
	close()
}

// connect picks the in-process client (root on the node) or HTTPS (--host).
func connect(ctx context.Context, g globalFlags) (client, error) {
	if g.Host != "" {
		return newRemote(g)
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("hostadm: in-process mode needs root; use --host URL --token ID=SECRET to reach a daemon")
	}
	return &inproc{cfg: daemon.Config{Root: g.Root, DataDir: g.DataDir, Node: g.Node}, light: g.light}, nil
}

// inproc calls the API in this process. It opens the node (the store, the
// task directory, keys and certificates) only for a call whose endpoint
// needs it: an endpoint marked NoServices is answered by an API without
// services, so `pvesh get /version` costs little more than the process.
type inproc struct {
	cfg   daemon.Config
	node  *daemon.Node
	light *api.API // built by the command already (nil: build it)
}

// lightAPI is the API without services: commands route their endpoint
// with it (one table and one router per process), and it answers the
// endpoints marked NoServices. It builds only the areas of the table that
// the paths it is asked for need.
func lightAPI() (*api.API, error) {
	return api.New(api.Config{Services: &api.Services{}, Lazy: true})
}

// api returns the API to run method and path against.
func (c *inproc) api(ctx context.Context, method, path string) (*api.API, error) {
	if c.node != nil {
		return c.node.API, nil
	}
	if c.light == nil {
		a, err := lightAPI()
		if err != nil {
			return nil, err
		}
		c.light = a
	}
	if e, _ := c.light.Lookup(method, path); e != nil && e.NoServices {
		return c.light, nil
	}
	n, err := daemon.Open(ctx, c.cfg)
	if err != nil {
		return nil, err
	}
	c.node = n
	return n.API, nil
}

func (c *inproc) call(ctx context.Context, method, path string, params map[string]any) (*reply, error) {
	id := api.Identity{User: "root@pam"}
	a, err := c.api(ctx, method, path)
	if err != nil {
		return nil, err
	}
	res, err := a.Call(ctx, id, method, path, params)
	if err != nil {
		return nil, apiError(err)
	}
	if d, ok := res.Data.(*api.Download); ok {
		b, err := os.ReadFile(d.Path)
		if err != nil {
			return nil, err
		}
		return &reply{Data: string(b)}, nil
	}
	// Round-trip through JSON so text output sees what a remote client sees.
	b, err := json.Marshal(res.Data)
	if err != nil {
		return nil, err
	}
	var data any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return nil, err
	}
	return &reply{Data: data, Total: res.Total}, nil
}

func (c *inproc) close() {
	if c.node != nil {
		c.node.Close(context.Background())
	}
}

// apiError renders an API error like Proxmox's CLI: status, message and
// the per-parameter errors.
func apiError(err error) error {
	var pe schema.ParamError
	if errors.As(err, &pe) {
		return errors.New("400 " + pe.Error())
	}
	var se *api.StatusError
	if errors.As(err, &se) {
		return fmt.Errorf("%d %s", se.Code, strings.TrimRight(se.Msg, "\n"))
	}
	return err
}

type remote struct {
	base  string
	token string
	http  *http.Client
}

func newRemote(g globalFlags) (*remote, error) {
	u, err := url.Parse(g.Host)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid --host '%s': want https://HOST:8006", g.Host)
	}
	if u.Scheme == "" || u.Scheme == "http" {
		u.Scheme = "https"
	}
	if u.Port() == "" {
		u.Host += ":8006"
	}
	token := g.Token
	if token == "" {
		token = os.Getenv("PVE_API_TOKEN")
	}
	if token == "" {
		return nil, errors.New("--host needs an API token: --token USER@REALM!NAME=SECRET (or PVE_API_TOKEN)")
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if g.Insecure {
		tlsCfg.InsecureSkipVerify = true
	} else if g.Fingerprint != "" {
		want := strings.ToUpper(strings.ReplaceAll(g.Fingerprint, ":", ""))
		tlsCfg.InsecureSkipVerify = true // replaced by the pin below
		tlsCfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("no server certificate")
			}
			sum := sha256.Sum256(raw[0])
			if fmt.Sprintf("%X", sum[:]) != want {
				return errors.New("server certificate fingerprint mismatch")
			}
			return nil
		}
	}
	return &remote{
		base:  strings.TrimRight(u.String(), "/") + "/api2/json",
		token: token,
		http:  &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{TLSClientConfig: tlsCfg}},
	}, nil
}

func (c *remote) call(ctx context.Context, method, path string, params map[string]any) (*reply, error) {
	form := url.Values{}
	for k, v := range params {
		switch x := v.(type) {
		case string:
			form.Set(k, x)
		case []string:
			form[k] = x
		}
	}
	target := c.base + path
	var body io.Reader
	if method == http.MethodGet || method == http.MethodDelete {
		if len(form) > 0 {
			target += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "PVEAPIToken="+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var env struct {
		Data    any               `json:"data"`
		Total   *int              `json:"total"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if len(raw) > 0 {
		if err := dec.Decode(&env); err != nil && resp.StatusCode == 200 {
			return nil, fmt.Errorf("bad answer from %s: %w", c.base, err)
		}
	}
	if resp.StatusCode != http.StatusOK {
		msg := resp.Status
		for k, v := range env.Errors {
			msg += "\n" + k + ": " + strings.TrimRight(v, "\n")
		}
		return nil, errors.New(msg)
	}
	return &reply{Data: env.Data, Total: env.Total}, nil
}

func (c *remote) close() {}
