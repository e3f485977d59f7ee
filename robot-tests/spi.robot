*** Settings ***
Documentation     SPIs through the GICv3 distributor: firmware-samples/spi (priorities, masking, pending
...               and active state, edge and level, Group 0 as FIQ). Expected lines: firmware-samples/expected/spi.el1.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0
${PLATFORM}       @platforms/virt-gicv3.repl
${ELF}            @firmware-samples/build/spi.elf

*** Keywords ***
Create Machine
    Execute Command           mach create "spi"
    Execute Command           machine LoadPlatformDescription ${PLATFORM}
    Execute Command           sysbus LoadELF ${ELF}
    Create Terminal Tester    ${UART}    timeout=5

*** Test Cases ***
Should Identify The Distributor
    Create Machine
    Start Emulation
    Wait For Line On Uart     sample: spi
    Wait For Line On Uart     id_aa64pfr0.gic: 1
    Wait For Line On Uart     gicd_pidr2.archrev: 3
    Wait For Line On Uart     gicr: cpu0 frame 0

Should Deliver An SPI And Complete It
    Create Machine
    Start Emulation
    Wait For Line On Uart     irq: intid 40 on cpu0 group 1
    Wait For Line On Uart     in handler: active 1 pending 0 rpr 0x80
    Wait For Line On Uart     after eoi: active 0 pending 0 rpr 0xff

Should Honour Priorities, Masks And Enables
    Create Machine
    Start Emulation
    Wait For Line On Uart     order: 43 (rpr 0x80) then 42 (rpr 0xa0)
    Wait For Line On Uart     pmr 0xff: irq intid 44
    ${result}=                Wait For Line On Uart    enabled: irq intid (\\d+)    treatAsRegex=true
    Should Be Equal As Integers    ${result.groups}[0]    45

Should Take Edge SPIs And Group 0 As FIQ, Then Pass
    Create Machine
    Start Emulation
    Wait For Line On Uart     edge: irq intid 47 active-in-handler 1
    Wait For Line On Uart     fiq: intid 46 group 0 rpr 0x80
    Wait For Line On Uart     PASS
