package export

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// transport delivers batches to one server. It is used by one goroutine.
type transport interface {
	send(ctx context.Context, batch []byte) error
	close()
}

func newTransport(s Server) (transport, error) {
	switch {
	case s.Proto == ProtoUDP:
		return &udpTransport{addr: s.Addr()}, nil
	case s.Type == TypeGraphite && s.Proto == ProtoTCP:
		return &tcpTransport{addr: s.Addr(), timeout: s.Timeout}, nil
	case s.Type == TypeInfluxDB && (s.Proto == ProtoHTTP || s.Proto == ProtoHTTPS):
		return newHTTPTransport(s), nil
	}
	return nil, fmt.Errorf("metric server %s: invalid protocol '%s'", s.ID, s.Proto)
}

// udpTransport sends each batch as one datagram.
type udpTransport struct {
	addr string
	conn net.Conn
}

func (t *udpTransport) send(_ context.Context, batch []byte) error {
	if t.conn == nil {
		c, err := net.Dial("udp", t.addr)
		if err != nil {
			return fmt.Errorf("couldn't create socket [%s] - %w", t.addr, err)
		}
		t.conn = c
	}
	if _, err := t.conn.Write(batch); err != nil {
		t.close() // resolve again next time: the address may have moved
		return fmt.Errorf("send to %s: %w", t.addr, err)
	}
	return nil
}

func (t *udpTransport) close() {
	if t.conn != nil {
		t.conn.Close()
		t.conn = nil
	}
}

// tcpTransport keeps one connection open and reconnects after an error;
// connecting and each write are bounded by the timeout, so a server that
// accepts and never reads costs one timeout per round, not a stuck worker.
type tcpTransport struct {
	addr    string
	timeout time.Duration
	conn    net.Conn
}

func (t *tcpTransport) send(ctx context.Context, batch []byte) error {
	if t.conn == nil {
		d := net.Dialer{Timeout: t.timeout}
		c, err := d.DialContext(ctx, "tcp", t.addr)
		if err != nil {
			return fmt.Errorf("couldn't connect to [%s] - %w", t.addr, err)
		}
		t.conn = c
	}
	t.conn.SetWriteDeadline(time.Now().Add(t.timeout))
	if _, err := t.conn.Write(batch); err != nil {
		t.close()
		return fmt.Errorf("send to %s: %w", t.addr, err)
	}
	return nil
}

func (t *tcpTransport) close() {
	if t.conn != nil {
		t.conn.Close()
		t.conn = nil
	}
}

// httpTransport posts batches to InfluxDB's /api/v2/write.
type httpTransport struct {
	url    string
	token  string
	client *http.Client
}

func newHTTPTransport(s Server) *httpTransport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if !s.VerifyCertificate {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the admin's explicit choice (verify-certificate 0)
	}
	q := url.Values{"org": {s.Organization}, "bucket": {s.Bucket}}
	return &httpTransport{
		url:    influxURL(s, "write") + "?" + q.Encode(),
		token:  s.Token,
		client: &http.Client{Transport: tr, Timeout: s.Timeout},
	}
}

// influxURL is InfluxDB.pm's _get_v2url: the prefix is normalised to
// "/…/", and every path but health lives under api/v2/.
func influxURL(s Server, apiPath string) string {
	prefix := s.APIPathPrefix
	if prefix == "" {
		prefix = "/"
	}
	if prefix != "/" {
		if p := strings.Trim(prefix, "/"); p != "" {
			prefix = "/" + p + "/"
		}
	}
	if apiPath != "health" {
		apiPath = "api/v2/" + apiPath
	}
	return s.Proto + "://" + s.Addr() + prefix + apiPath
}

func (t *httpTransport) send(ctx context.Context, batch []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(batch))
	if err != nil {
		return fmt.Errorf("influxdb write: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if t.token != "" {
		req.Header.Set("Authorization", "Token "+t.token)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL carries no secret, but keep messages short
		}
		return fmt.Errorf("influxdb write to %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

func (t *httpTransport) close() { t.client.CloseIdleConnections() }
