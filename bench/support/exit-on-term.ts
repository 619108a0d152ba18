// Loaded into profiled benchmark children: SIGTERM (ChildProcess.kill) exits normally, so --cpu-prof writes its file.

process.on('SIGTERM', () => {
  process.exit(0);
});
