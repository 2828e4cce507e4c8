// Command demo-site is the static website of the Demo-API notebook: a tiny
// web server that a Mesos task runs in a container.
//
// The 2016 tutorial launched Nginx and showed its default page; the
// notebook's own static site was never served. demo-site serves a page of
// ours, embedded in the binary, so the image can be built FROM scratch around
// one static binary and needs no registry at all.
//
// It serves:
//
//	/        the page (static/index.html)
//	/health  200 "ok", for health checks
//
// It listens on $PORT (a bare port such as 9000, or host:port), else on :80,
// prints what it serves and one line per request on stdout (which Mesos keeps
// in the task's sandbox), and shuts down cleanly on SIGTERM, the signal Mesos
// and docker stop send first.
//
// With -healthcheck it instead asks a running server at the same address for
// /health and exits 0 or 1: the image has no shell or curl, so its Docker
// HEALTHCHECK runs the binary itself.
//
// Build the binary and the image (docker/demo-site/build.sh does both):
//
//	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o docker/demo-site/demo-site ./docker/demo-site
//	docker build -t mesosnb/demo-site:dev docker/demo-site
package main
