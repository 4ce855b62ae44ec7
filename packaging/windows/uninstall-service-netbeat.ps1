<#
.SYNOPSIS
    Uninstalls the netbeat Windows service. Data and logs in
    $env:ProgramData\netbeat are kept; delete the folder to remove them.
#>

# Delete and stop the service if it already exists.
if (Get-Service netbeat -ErrorAction SilentlyContinue) {
  Stop-Service netbeat
  (Get-Service netbeat).WaitForStatus('Stopped')
  Start-Sleep -s 1
  sc.exe delete netbeat
}
