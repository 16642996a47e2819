#!/bin/sh
# ForceCommand of the guest's control sshd (which listens in the guest's "ctl" namespace): run the
# lab's command in the guest's main network namespace, where the app's interfaces live.
if [ -z "$SSH_ORIGINAL_COMMAND" ]; then
  exec nsenter -t 1 -n -- /bin/bash -l
fi
exec nsenter -t 1 -n -- /bin/sh -c "$SSH_ORIGINAL_COMMAND"
