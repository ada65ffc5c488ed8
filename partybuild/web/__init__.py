"""What every app's HTML pages share: form styling, the service-errors helper, generic inputs."""
