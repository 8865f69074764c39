module pivotshim.example/go-init

go 1.19
