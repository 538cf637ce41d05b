// Command goproxy adds one version of a Go module to a file-based module proxy, laid out as the
// go command reads it through GOPROXY=file:///DIR: DIR/<module>/@v/{list,VERSION.info,
// VERSION.mod,VERSION.zip}. The zip is made by golang.org/x/mod/zip from a directory holding
// exactly what the module publishes (make dist stages it: go/ with its static libraries).
//
//	go run ./scripts/goproxy -module github.com/phasekit/phasekit/go -version v0.1.0 \
//	    -dir STAGED_MODULE -out dist/goproxy
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	modulePath := flag.String("module", "", "module path")
	version := flag.String("version", "", "semantic version, e.g. v0.1.0")
	dir := flag.String("dir", "", "directory of the module's files")
	out := flag.String("out", "", "root of the file-based proxy")
	flag.Parse()
	if err := publish(*modulePath, *version, *dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "goproxy:", err)
		os.Exit(1)
	}
}

func publish(modulePath, version, dir, out string) error {
	mv := module.Version{Path: modulePath, Version: version}
	if err := module.Check(mv.Path, mv.Version); err != nil {
		return err
	}
	escaped, err := module.EscapePath(mv.Path)
	if err != nil {
		return err
	}
	versions := filepath.Join(out, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		return err
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(versions, version+".mod"), goMod, 0o644); err != nil {
		return err
	}
	info, err := json.Marshal(map[string]string{"Version": version, "Time": time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(versions, version+".info"), info, 0o644); err != nil {
		return err
	}
	var archive bytes.Buffer
	if err := zip.CreateFromDir(&archive, mv, dir); err != nil {
		return fmt.Errorf("zipping %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(versions, version+".zip"), archive.Bytes(), 0o644); err != nil {
		return err
	}
	return addToList(filepath.Join(versions, "list"), version)
}

// addToList records version in the proxy's list of versions, once.
func addToList(path, version string) error {
	listed, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	versions := strings.Fields(string(listed))
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	return os.WriteFile(path, []byte(strings.Join(versions, "\n")+"\n"), 0o644)
}
