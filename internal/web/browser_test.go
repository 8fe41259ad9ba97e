package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium tab for a test, with the page's uncaught
// exceptions and console errors collected.
type browser struct {
	t       *testing.T
	ctx     context.Context
	shots   string
	mu      sync.Mutex
	console []string
}

// newBrowser starts Debian's chromium with the flags this machine needs and
// a fresh profile; it skips the test when the UI is not built or chromium
// is not installed.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	requireBuiltUI(t)
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium; `make test-deps` installs it)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The daemon's certificate is signed by the test's own CA.
		chromedp.IgnoreCertErrors,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, shots: screenshotDir(t)}
	if err := chromedp.Do(ctx); err != nil { // starts the browser and the tab
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, b.listen); err != nil {
		t.Fatalf("listen: %v", err)
	}
	return b
}

func (b *browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		b.console = append(b.console, "exception: "+ev.ExceptionDetails.Text)
		if ev.ExceptionDetails.Exception != nil {
			b.console = append(b.console, ev.ExceptionDetails.Exception.Description)
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.console = append(b.console, "console.error: "+strings.Join(parts, " "))
		}
	}
}

// consoleErrors returns what the page reported as errors so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// checkPageErrors fails the test if the page reported errors.
func (b *browser) checkPageErrors() {
	b.t.Helper()
	if errs := b.consoleErrors(); len(errs) > 0 {
		b.t.Errorf("page errors: %q", errs)
	}
}

// screenshotDir is $HOSTADM_SCREENSHOTS when set (kept for a reviewer), else
// the test's artifact directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("HOSTADM_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.ArtifactDir()
}

// do runs actions with a deadline, failing the test with what step.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v (console: %q)\npage text: %s", what, err, b.consoleErrors(), b.pageText())
	}
}

// pageText is the start of the page's visible text, so a failure in CI,
// where the screenshot is gone, still says what the page showed.
func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	text = strings.Join(strings.Fields(text), " ")
	if len(text) > 1500 {
		text = text[:1500] + " …"
	}
	return text
}

// waitFor polls a JavaScript expression until it is truthy.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	b.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(15*time.Second))(ctx, t)
		return err
	}))
}

// eval runs a JavaScript expression and returns its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// clickText clicks the first element matching css whose text is text.
func (b *browser) clickText(css, text string) {
	b.t.Helper()
	expr := fmt.Sprintf(`(() => { const e = [...document.querySelectorAll(%q)].find((e) => e.textContent.trim() === %q); if (e) e.click(); return !!e; })()`, css, text)
	b.waitFor("click "+text, expr)
}

// fill types into the input or textarea named name (inside the open dialog if there is one).
func (b *browser) fill(name, value string) {
	b.t.Helper()
	sel := chromedp.CSS(fmt.Sprintf(`[name=%q]`, name))
	// Empty the field through an input event, as a user's delete would, so
	// the page's state follows; then type the new value key by key.
	b.waitFor("clear "+name, fmt.Sprintf(`(() => { const e = document.querySelector('[name=%q]'); if (!e) return false; e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, name))
	b.do("fill "+name, chromedp.WaitVisible(sel), chromedp.SendKeys(sel, value))
}

// choose sets a select's value the way a user's choice does (with a change event).
func (b *browser) choose(name, value string) {
	b.t.Helper()
	b.waitFor("choose "+name, fmt.Sprintf(`(() => { const s = document.querySelector('select[name=%q]'); if (!s || ![...s.options].some((o) => o.value === %q)) return false; s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, name, value, value))
}

// shot saves a screenshot of the viewport as NAME.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot %s", path)
}
