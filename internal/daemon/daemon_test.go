package daemon_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"hostadm/internal/certs"
	"hostadm/internal/cfs"
	"hostadm/internal/daemon/daemontest"
)

// TestFirstStartCreatesCertificates checks the files Proxmox keeps in its
// cluster file store after a first start, and that HTTPS serves the node
// certificate signed by the new CA.
func TestFirstStartCreatesCertificates(t *testing.T) {
	env := daemontest.Start(t)
	store := env.Server.Node().Store()
	for _, p := range []string{"pve-root-ca.pem", "priv/pve-root-ca.key", "nodes/testnode/pve-ssl.pem",
		"nodes/testnode/pve-ssl.key", "priv/authkey.key", "authkey.pub", "user.cfg"} {
		if _, err := store.Get(context.Background(), p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	state := peerCert(t, env.URL)
	node, _ := store.Get(context.Background(), "nodes/testnode/pve-ssl.pem")
	if !bytes.Equal(state.Raw, pemDER(t, node.Data)) {
		t.Error("served certificate is not pve-ssl.pem")
	}
	resp, err := env.Client.Get(env.URL + "/api2/json/version")
	if err != nil {
		t.Fatalf("the CA does not verify the served certificate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d", resp.StatusCode)
	}
}

// TestCertificateReloadsWithoutRestart puts a custom certificate into the
// store (as `pvenode cert set` would) and expects new connections to get it.
func TestCertificateReloadsWithoutRestart(t *testing.T) {
	env := daemontest.Start(t)
	store := env.Server.Node().Store()
	certPEM, keyPEM := selfSigned(t)
	ctx := context.Background()
	if _, err := store.Put(ctx, certs.CustomKeyPath("testnode"), keyPEM, cfs.AnyVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, certs.CustomCertPath("testnode"), certPEM, cfs.AnyVersion); err != nil {
		t.Fatal(err)
	}
	want := pemDER(t, certPEM)
	deadline := time.Now().Add(5 * time.Second)
	for !bytes.Equal(peerCert(t, env.URL).Raw, want) {
		if time.Now().After(deadline) {
			t.Fatal("the custom certificate was not picked up")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeHelpDocumentsFlags checks that every flag of serve is documented.
func TestServeHelpDocumentsFlags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hostadm")
	daemontest.BuildHostadm(t, bin)
	out, _ := exec.Command(bin, "serve", "--help").CombinedOutput()
	for _, flag := range []string{"-root", "-data-dir", "-listen", "-node", "-log-level", "-auth-fail-delay", "-network-applier", "-metrics-listen", "-mount"} {
		if !bytes.Contains(out, []byte(flag)) {
			t.Errorf("serve --help lacks %s:\n%s", flag, out)
		}
	}
}

func peerCert(t *testing.T, url string) *x509.Certificate {
	t.Helper()
	conn, err := tls.Dial("tcp", url[len("https://"):], &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if v := conn.ConnectionState().Version; v < tls.VersionTLS12 {
		t.Errorf("TLS version %x", v)
	}
	return conn.ConnectionState().PeerCertificates[0]
}

func pemDER(t *testing.T, b []byte) []byte {
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("no PEM block")
	}
	return blk.Bytes
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "custom.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"custom.example", "localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}
