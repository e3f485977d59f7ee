*** Settings ***
Documentation     SGIs between two cores: firmware-samples/sgi-ipi (PSCI CPU_ON, SPI routing, 1000 ping-pong
...               round trips). Expected lines: firmware-samples/expected/sgi-ipi.el1.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Keywords ***
Create Machine
    Execute Command           mach create "sgi-ipi"
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv3.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/sgi-ipi.elf
    Create Terminal Tester    ${UART}    timeout=10

*** Test Cases ***
Should Send An SGI To Itself
    Create Machine
    Start Emulation
    Wait For Line On Uart     psci version: 1.1
    Wait For Line On Uart     self sgi: intid 3 on cpu0

Should Power On The Second Core
    Create Machine
    Start Emulation
    Wait For Line On Uart     cpu_on(cpu1): 0
    Wait For Line On Uart     cpu1: el 1 context 0x5a5a0001 gicr frame 1
    Wait For Line On Uart     affinity_info(cpu1): 0 (ON)

Should Route An SPI And Ping-Pong SGIs, Then Pass
    Create Machine
    Start Emulation
    Wait For Line On Uart     spi 42 routed to cpu1: handled intid 42 on cpu1
    Wait For Line On Uart     first ping: intid 5 on cpu1
    Wait For Line On Uart     first pong: intid 6 on cpu0
    ${line}=                  Wait For Line On Uart    round trips: (\\d+)    treatAsRegex=true
    Should Be Equal As Integers    ${line}[groups][0]    1000
    Wait For Line On Uart     cpu1 pings: 1000
    Wait For Line On Uart     affinity_info(cpu1) after cpu_off: 1 (OFF)
    Wait For Line On Uart     PASS
