// Package demosite is the task of the Demo-API notebook: the small static
// site the 2016 project meant to publish, served by a Docker container on
// a Mesos agent. It says which image to run (Image), builds the TaskInfo
// for an offer (Task), fetches the page the running task serves (Fetch)
// and reads what it wrote in its sandbox (Output), so that the notebook's
// cells show the Mesos calls and not this plumbing.
//
//	image := demosite.Image(ctx, httpapi.DefaultConfig())
//	task := demosite.Task(offer, image)     // 0.2 cpus, 64 MB, a port from the offer → 80
//	tasks := demosite.Tasks(offer, image, 3) // up to three copies that fit, a port each
//	// ... ACCEPT the offer with mesos.LaunchOp(task), wait for TASK_RUNNING ...
//	page, err := demosite.Fetch(ctx, s)     // GET http://<agent>:<port>/
//	out, err := demosite.Output(ctx, s, nb)  // READ_FILE of its stdout and stderr, on its agent
package demosite
