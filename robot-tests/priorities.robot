*** Settings ***
Documentation     Priorities, preemption and the two interrupt groups in the CPU interface: firmware-samples/priority-preempt
...               (nested Group 1 handlers, ICC_RPR/ICC_AP1R0, EOI order, ICC_BPR1), firmware-samples/eoimode1
...               (EOImode 1: EOIR1 drops the priority, ICC_DIR_EL1 deactivates) and firmware-samples/group0-fiq (Group 0
...               as FIQ, preemption across groups). Expected lines: firmware-samples/expected/<sample>.el1.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0
${PLATFORM}       @platforms/virt-gicv3.repl

*** Keywords ***
Create Machine
    [Arguments]    ${sample}
    Execute Command           mach create "${sample}"
    Execute Command           machine LoadPlatformDescription ${PLATFORM}
    Execute Command           sysbus LoadELF @firmware-samples/build/${sample}.elf
    Create Terminal Tester    ${UART}    timeout=5

Sample Should Pass
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1

*** Test Cases ***
Higher Priority Should Preempt A Running Handler
    Create Machine            priority-preempt
    Start Emulation
    Wait For Line On Uart     sample: priority-preempt
    Wait For Line On Uart     priorities: 40=0xa0 41=0x80 42=0x40 43=0x80
    Wait For Line On Uart     nesting (bpr1 minimum):
    Wait For Line On Uart     enter 40: rpr 0xa0 ap1r0 0x00100000    matchNextLine=true
    Wait For Line On Uart     enter 41: rpr 0x80 ap1r0 0x00110000    matchNextLine=true
    Wait For Line On Uart     43 pending, not taken: rpr 0x80 hppir1 43    matchNextLine=true
    Wait For Line On Uart     enter 42: rpr 0x40 ap1r0 0x00110100    matchNextLine=true
    Wait For Line On Uart     eoi 42: rpr 0x40 -> 0x80 ap1r0 0x00110000    matchNextLine=true
    Wait For Line On Uart     eoi 41: rpr 0x80 -> 0xa0 ap1r0 0x00100000    matchNextLine=true
    Wait For Line On Uart     enter 43: rpr 0x80 ap1r0 0x00110000    matchNextLine=true
    Wait For Line On Uart     eoi 43: rpr 0x80 -> 0xa0 ap1r0 0x00100000    matchNextLine=true
    Wait For Line On Uart     eoi 40: rpr 0xa0 -> 0xff ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     hits: 40=1 41=1 42=1 43=1    matchNextLine=true

Binary Point Should Merge Priorities Into One Group Priority, Then Pass
    Create Machine            priority-preempt
    Start Emulation
    Wait For Line On Uart     icc_bpr1 written 6: 6
    Wait For Line On Uart     nesting (bpr1 6):    matchNextLine=true
    Wait For Line On Uart     enter 40: rpr 0x80 ap1r0 0x00010000    matchNextLine=true
    Wait For Line On Uart     41 pending, not taken: rpr 0x80 hppir1 41    matchNextLine=true
    Wait For Line On Uart     enter 42: rpr 0x40 ap1r0 0x00010100    matchNextLine=true
    Wait For Line On Uart     eoi 42: rpr 0x40 -> 0x80 ap1r0 0x00010000    matchNextLine=true
    Wait For Line On Uart     eoi 40: rpr 0x80 -> 0xff ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     enter 41: rpr 0x80 ap1r0 0x00010000    matchNextLine=true
    Wait For Line On Uart     icc_bpr1 written 0: 3
    Sample Should Pass

EOImode 1 Should Split Priority Drop From Deactivation
    Create Machine            eoimode1
    Start Emulation
    Wait For Line On Uart     icc_ctlr.eoimode set: 1
    Wait For Line On Uart     spi 40 in handler: rpr 0x80 active 1 pending 0
    Wait For Line On Uart     after eoir1 (priority drop): rpr 0xff active 1 ap1r0 0x00000000
    Wait For Line On Uart     pended again while active: pending 1 active 1
    Wait For Line On Uart     spi 41 taken while 40 active: rpr 0x80, 40 active 1
    Wait For Line On Uart     spi 41 after eoir1+dir: active 0
    Wait For Line On Uart     before dir(40): hits 1 active 1 pending 1 rpr 0xff hppir1 1023
    Wait For Line On Uart     after dir(40): second instance taken: rpr 0x80 active 1 pending 0
    Wait For Line On Uart     end: active 0 pending 0 rpr 0xff ap1r0 0x00000000
    Wait For Line On Uart     icc_ctlr.eoimode cleared: 0
    Sample Should Pass

Group 0 Should Be Taken As FIQ Only
    Create Machine            group0-fiq
    Start Emulation
    Wait For Line On Uart     gicd_ctlr: 0x53
    Wait For Line On Uart     group 0 pending, masked: hppir0 46 hppir1 1023
    Wait For Line On Uart     icc_iar1 read: 1023
    Wait For Line On Uart     after icc_iar1: pending 1 active 0
    Wait For Line On Uart     irq unmasked, fiq masked: taken 0
    Wait For Line On Uart     enter 46 (fiq, group 0): rpr 0x80 ap0r0 0x00010000 ap1r0 0x00000000
    Wait For Line On Uart     eoi 46 (eoir0): rpr 0x80 -> 0xff ap0r0 0x00000000 ap1r0 0x00000000    matchNextLine=true

Groups Should Preempt Each Other By Priority, Then Pass
    Create Machine            group0-fiq
    Start Emulation
    Wait For Line On Uart     group 0 preempting group 1:
    Wait For Line On Uart     enter 40 (irq, group 1): rpr 0xa0 ap0r0 0x00000000 ap1r0 0x00100000    matchNextLine=true
    Wait For Line On Uart     enter 46 (fiq, group 0): rpr 0x80 ap0r0 0x00010000 ap1r0 0x00100000    matchNextLine=true
    Wait For Line On Uart     eoi 46 (eoir0): rpr 0x80 -> 0xa0 ap0r0 0x00000000 ap1r0 0x00100000    matchNextLine=true
    Wait For Line On Uart     47 pending, not taken: rpr 0xa0 hppir0 47    matchNextLine=true
    Wait For Line On Uart     eoi 40 (eoir1): rpr 0xa0 -> 0xff ap0r0 0x00000000 ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     enter 47 (fiq, group 0): rpr 0xc0 ap0r0 0x01000000 ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     group 1 preempting group 0:
    Wait For Line On Uart     enter 46 (fiq, group 0): rpr 0x80 ap0r0 0x00010000 ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     enter 41 (irq, group 1): rpr 0x40 ap0r0 0x00010000 ap1r0 0x00000100    matchNextLine=true
    Wait For Line On Uart     eoi 41 (eoir1): rpr 0x40 -> 0x80 ap0r0 0x00010000 ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     eoi 46 (eoir0): rpr 0x80 -> 0xff ap0r0 0x00000000 ap1r0 0x00000000    matchNextLine=true
    Wait For Line On Uart     end: rpr 0xff ap0r0 0x00000000 ap1r0 0x00000000 hppir0 1023 hppir1 1023
    Sample Should Pass
